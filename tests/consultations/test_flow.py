"""The main consultation flow over HTTP, end to end in one test client."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from m100hub.consultations.models import Ballot, Consultation, Tally
from m100hub.database import utcnow
from tests.support import consultation_factories as cf


def test_official_runs_a_consultation_citizens_vote_results_published(app, db, client,
                                                                       login_as):
    official = login_as("official")
    now = utcnow()
    response = client.post("/consultations/new", data={
        "title": "Piste de biciclete în Suceava", "summary": "Unde facem piste noi?",
        "body": "Planul **2027**.", "city_id": str(cf.factories.city("suceava").id),
        "sectors": ["transport"], "opens_at": "2020-01-01T10:00",
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303, response.get_data(as_text=True)
    item = db.session.scalar(select(Consultation).order_by(Consultation.id.desc()))
    assert item.phase.value == "draft"
    assert client.post(f"/consultations/{item.id}/questions", data={
        "text": "Sunteți de acord?", "kind": "yes_no"}).status_code == 303
    assert client.post(f"/consultations/{item.id}/questions", data={
        "text": "Ordonați traseele", "kind": "ranked",
        "options": "Centru\nGară\nUniversitate"}).status_code == 303
    assert client.get(f"/consultations/{item.id}/manage").status_code == 200
    assert client.post(f"/consultations/{item.id}/announce").status_code == 303
    db.session.refresh(item)
    assert item.phase.value == "open"
    yes_no, ranked = cf.questions_of(item)
    yes, no = yes_no.options[0].id, yes_no.options[1].id
    centre, university = ranked.options[0].id, ranked.options[2].id

    login_as("citizen")
    page = client.get(f"/consultations/{item.id}")
    assert page.status_code == 200
    assert client.post(f"/consultations/{item.id}/questions/{yes_no.id}/vote",
                       data={"option": str(yes)}).status_code == 303
    ranks = {f"rank-{university}": "1", f"rank-{centre}": "2"}
    assert client.post(f"/consultations/{item.id}/questions/{ranked.id}/vote",
                       data=ranks).status_code == 303
    page = client.get(f"/consultations/{item.id}").get_data(as_text=True)
    assert "Universitate › Centru" in page
    # change the vote
    assert client.post(f"/consultations/{item.id}/questions/{yes_no.id}/vote",
                       data={"option": str(no)}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 2
    assert db.session.scalar(select(func.sum(Tally.count)).where(
        Tally.question_id == yes_no.id)) == 1

    response = client.post(f"/consultations/{item.id}/proposals/new",
                           data={"title": "Pistă pe strada Ștefan cel Mare",
                                 "body": "Ar lega centrul de gară."})
    assert response.status_code == 303
    proposal_url = response.headers["Location"]
    assert client.get(proposal_url).status_code == 200
    assert client.post(f"/consultations/{item.id}/comments",
                       data={"body": "Bună idee!"}).status_code == 303

    item.closes_dt = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login_as(user=official)
    assert client.get(f"/consultations/{item.id}/results").status_code == 200
    assert client.post(f"/consultations/{item.id}/publish",
                       data={"response": "Facem pista din centru."}).status_code == 303
    assert client.post("/logout").status_code in (302, 303)
    results = client.get(f"/consultations/{item.id}/results")
    assert results.status_code == 200
    assert "Facem pista din centru." in results.get_data(as_text=True)
    csv = client.get(f"/consultations/{item.id}/results.csv").get_data(as_text=True)
    assert "Universitate" in csv
    data = client.get(f"/consultations/{item.id}/results.json").get_json()
    assert data["questions"][0]["ballots"] == 1
