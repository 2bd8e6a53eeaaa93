"""Results with charts, tables, CSV and JSON: who sees them when, the figures, and nobody
in them: officials see totals, never ballots."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import update

from m100hub.accounts.models import User
from m100hub.consultations.models import Option, Question
from m100hub.extensions import db as _db
from tests.support import factories
from tests.support.consultations import MANAGERS, Scene, build, cast, english, page, sign_in

# --- results ------------------------------------------------------------------------------


VOTERS = ("public", "private", "civil", "citizen", "citizen")
#: per question kind, each voter's choices (option positions), voter i of VOTERS
BALLOTS = {
    "yes_no": [(0,), (0,), (0,), (1,), (2,)],
    "single": [(0,), (1,), (1,), (1,), (2,)],
    "approval": [(0, 1), (1,), (1, 3), (0,), (2, 3)],
    # round 1: Centru 2, Gară 2, Universitate 1 → Universitate out; round 2: Gară 3 of 5
    "ranked": [(0, 2), (0, 2), (1, 2), (1, 2), (2, 1)],
}


def voted_scene(phase: str = "published", **fields) -> tuple[Scene, list[User]]:
    scene = build(phase, **fields)
    voters = [
        factories.user(name=f"Votantul {n}", sector=sector) for n, sector in enumerate(VOTERS)
    ]
    for kind, choices in BALLOTS.items():
        for voter, options in zip(voters, choices, strict=True):
            cast(scene, voter, kind, *options)
    _db.session.commit()
    return scene, voters


@pytest.mark.parametrize(
    "phase, while_open, role, status",
    [
        ("published", False, "anonymous", 200),
        ("published", False, "citizen", 200),
        ("published", False, "cluj_official", 200),
        ("published", False, "admin", 200),
        ("open", False, "anonymous", 404),
        ("open", False, "citizen", 404),
        ("open", False, "cluj_official", 404),
        ("open", False, "suceava_official", 200),
        ("open", False, "admin", 200),
        ("open", True, "anonymous", 200),
        ("open", True, "citizen", 200),
        ("closed", False, "citizen", 404),
        ("closed", False, "moderator", 404),
        ("closed", False, "suceava_official", 200),
        ("closed", True, "anonymous", 200),
        ("scheduled", True, "citizen", 404),
        ("scheduled", True, "suceava_official", 404),
        ("scheduled", False, "admin", 404),
        ("draft", True, "citizen", 404),
        ("draft", True, "admin", 404),
    ],
)
def test_who_sees_the_results_when(client, db, login_as, phase, while_open, role, status):
    scene = build(phase, results_while_open=while_open)
    sign_in(login_as, client, role)
    for suffix in ("/results", "/results.json", "/results.csv"):
        assert client.get(scene.url + suffix).status_code == status, suffix
    assert (f'href="{scene.url}/results"' in page(client.get(scene.url))) == (
        status == 200
    ) or phase == "draft"


def test_results_page_shows_counts_percentages_turnout_sectors_and_rounds(client, db):
    scene, _ = voted_scene()
    english(client)

    response = client.get(f"{scene.url}/results")

    assert response.status_code == 200
    text = page(response)
    assert "Official response: what we did with your input" in text and "Răspuns." in text
    assert "5 people have voted" in text
    assert text.count("5 ballots") == 4
    assert text.count("turnout: 100 % of the participants") == 4
    # yes / no / abstain: 3, 1, 1 of 5; by sector
    assert (
        '<th scope="row">Yes</th><td>3 (60 %)</td><td>1 (100 %)</td><td>1 (100 %)</td>'
        "<td>1 (100 %)</td><td>0 (0 %)</td></tr>" in text
    )
    assert (
        '<th scope="row">Abstain</th><td>1 (20 %)</td><td>0 (0 %)</td><td>0 (0 %)</td>'
        "<td>0 (0 %)</td><td>1 (50 %)</td></tr>" in text
    )
    assert '<th scope="row">Ballots</th><td>5</td><td>1</td><td>1</td><td>1</td><td>2</td>' in text
    for label in ("Public sector", "Private sector", "Civil society", "Citizen"):
        assert f'<th scope="col">{label}</th>' in text
    assert "Result: Yes" in text and "Result: Tramvaie" in text
    assert '<th scope="row">Piste</th><td>3 (60 %)</td>' in text  # approval: share of ballots
    # instant runoff
    assert "Instant-runoff rounds" in text and "Round 1" in text and "Round 2" in text
    assert "Round 3" not in text
    assert '<th scope="row">Universitate</th><td>1 — eliminated</td><td>—</td>' in text
    assert '<th scope="row">Gară</th><td>2</td><td>3</td>' in text
    assert "Result: Gară" in text
    # a chart for each question (and the final round), each with its table of figures
    assert text.count('<svg role="img"') == 5
    assert text.count("<table>") == 5
    assert '<title id="chart-final-' in text
    assert 'width="168.0" height="16" class="chart-bar"' in text  # 60 % of 280


def test_results_json_has_the_figures_and_nobody_in_it(client, db):
    scene, voters = voted_scene()
    english(client)

    response = client.get(f"{scene.url}/results.json")

    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["consultation"]["id"] == scene.id
    assert data["consultation"]["participants"] == 5
    assert data["consultation"]["phase"] == "published"
    assert data["consultation"]["city"] == "Suceava"
    questions = {q["id"]: q for q in data["questions"]}
    yes_no = questions[scene.questions["yes_no"]]
    assert (yes_no["kind"], yes_no["ballots"]) == ("yes_no", 5)
    assert yes_no["ballots_by_sector"] == {"public": 1, "private": 1, "civil": 1, "citizen": 2}
    assert [(o["id"], o["label"], o["votes"], o["percent"]) for o in yes_no["options"]] == [
        (scene.options["yes_no"][0], "Yes", 3, 60.0),
        (scene.options["yes_no"][1], "No", 1, 20.0),
        (scene.options["yes_no"][2], "Abstain", 1, 20.0),
    ]
    assert yes_no["options"][0]["by_sector"] == {
        "public": 1,
        "private": 1,
        "civil": 1,
        "citizen": 0,
    }
    assert yes_no["winners"] == [scene.options["yes_no"][0]] and yes_no["rounds"] == []
    ranked = questions[scene.questions["ranked"]]
    centre, station, university = scene.options["ranked"]
    assert ranked["rounds"] == [
        {
            "number": 1,
            "votes": {str(centre): 2, str(station): 2, str(university): 1},
            "exhausted": 0,
            "eliminated": [university],
        },
        {"number": 2, "votes": {str(centre): 2, str(station): 3}, "exhausted": 0, "eliminated": []},
    ]
    assert ranked["winners"] == [station]
    assert_no_person(data, voters)


def assert_no_person(data, voters) -> None:
    """No key that could carry a person, and no voter's name, handle or e-mail anywhere."""

    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    forbidden = ("user", "voter", "author", "email", "name", "handle", "ballot_id", "person")
    assert not [k for k in keys(data) if any(word in k.lower() for word in forbidden)]
    serialised = str(data)
    for voter in voters:
        for value in (voter.display_name, voter.handle, voter.email):
            assert value not in serialised


def test_results_csv_has_one_row_per_option_and_round_and_nobody_in_it(client, db):
    scene, voters = voted_scene()
    english(client)

    response = client.get(f"{scene.url}/results.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once
    assert response.is_streamed
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="consultation-{scene.id}-results.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "question_id",
        "question",
        "kind",
        "round",
        "option_id",
        "option",
        "votes",
        "percent",
        "ballots",
        "public",
        "private",
        "civil",
        "citizen",
        "other",  # the sectors shown only together (empty: none, RESULTS_MIN_CELL is 1 here)
    ]
    yes = scene.options["yes_no"][0]
    assert [
        str(scene.questions["yes_no"]),
        "Sunteți de acord cu planul?",
        "yes_no",
        "",
        str(yes),
        "Yes",
        "3",
        "60.00",
        "5",
        "1",
        "1",
        "1",
        "0",
        "",
    ] in rows
    ranked = [r for r in rows[1:] if r[0] == str(scene.questions["ranked"])]
    assert len(ranked) == 3 + 3 + 2  # first preferences, round 1, round 2
    assert [
        str(scene.questions["ranked"]),
        "Ordonați traseele",
        "ranked",
        "2",
        str(scene.options["ranked"][1]),
        "Gară",
        "3",
        "60.00",
        "5",
        "",
        "",
        "",
        "",
        "",
    ] in rows
    assert len(rows) == 1 + 3 + 3 + 4 + 8
    body = response.get_data(as_text=True)
    for voter in voters:
        for value in (voter.display_name, voter.handle, voter.email):
            assert value not in body
    assert not [cell for cell in rows[0] if "user" in cell or "voter" in cell]


def test_results_csv_defuses_spreadsheet_formulas(client, db):
    scene = build("published", kinds=("single",))
    _db.session.execute(
        update(Option)
        .where(Option.id == scene.options["single"][0])
        .values(label='=HYPERLINK("http://x")')
    )
    _db.session.execute(
        update(Question).where(Question.id == scene.questions["single"]).values(text="+SUM(A1:A9)")
    )
    _db.session.commit()
    rows = list(
        csv.reader(io.StringIO(client.get(f"{scene.url}/results.csv").get_data(as_text=True)))
    )
    assert rows[1][1] == "'+SUM(A1:A9)" and rows[1][5] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("role", MANAGERS)
def test_officials_see_totals_never_ballots(client, db, login_as, role):
    scene, voters = voted_scene("closed")
    sign_in(login_as, client, role)
    text = page(client.get(f"{scene.url}/results"))
    assert "Voting is closed; the results are not published yet." in text
    assert "5 ballots" in text
    for voter in voters:
        assert voter.display_name not in text and voter.handle not in text
    assert_no_person(client.get(f"{scene.url}/results.json").get_json(), voters)
    assert "You voted" not in page(client.get(scene.url))


def test_results_while_open_change_as_people_vote(client, db, login_as):
    scene = build("open", results_while_open=True)
    sign_in(login_as, client, "citizen")
    assert (
        client.post(
            scene.vote_url("yes_no"), data={"option": scene.option("yes_no", 1)}
        ).status_code
        == 303
    )
    text = page(client.get(f"{scene.url}/results"))
    assert "Voting is still open: these figures change as people vote." in text
    assert '<th scope="row">No</th><td>1 (100 %)</td>' in text
    data = client.get(f"{scene.url}/results.json").get_json()
    assert data["consultation"]["participants"] == 1


def test_the_final_round_shows_both_bases_when_ballots_were_exhausted(client, db):
    """Centru 3, Gară 2, Universitate 2 (ranked alone): Universitate goes and its 2 ballots
    are exhausted; Centru wins with 3 of the 5 ballots still counted (60 %), which is 3 of
    all 7 ballots (42.9 %): the page says both, and how many were exhausted."""
    scene = build("published", kinds=("ranked",))
    for n, position in enumerate((0, 0, 0, 1, 1, 2, 2)):
        cast(scene, factories.user(name=f"Votantul {n}", sector="citizen"), "ranked", position)
    _db.session.commit()
    english(client)

    text = page(client.get(f"{scene.url}/results"))

    assert "Result: Centru" in text
    assert "Final round — ballots: 5 still counted, 2 exhausted, 7 in all" in text
    assert (
        '<th scope="row">Centru</th><td>3</td><td>60 %</td><td>42.9 %</td></tr>' in text
    )
    assert '<th scope="row">Gară</th><td>2</td><td>40 %</td><td>28.6 %</td></tr>' in text
    assert '<th scope="row">Exhausted ballots</th><td>2</td><td>—</td><td>28.6 %</td>' in text
    assert "Final round: share of all ballots" in text
    chart = text[text.index('id="chart-final-'):]
    assert "3 · 42.9 %" in chart[: chart.index("</svg>")] and "100 %" not in chart
