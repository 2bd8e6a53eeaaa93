"""Schemathesis against the app's own OpenAPI document: every operation, with arguments
generated from its schema (valid ones, and invalid ones), answers without a 5xx, and what it
answers — status, content type, headers, body — matches the document.

(Schemathesis's pytest plugin does not run under pytest 9 yet: the operations are walked here
and each one's Hypothesis strategy drawn from, which is what the plugin does.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from m100hub.extensions import db as _db
from tests.support import consultation_factories as cons
from tests.support import contracts as cf
from tests.support import event_factories as ev
from tests.support import resources as rf

#: every operation the features declare (a new one must be added here, on purpose)
OPERATIONS = {
    "GET /api/v1/cities", "GET /api/v1/cities/{slug}", "GET /api/v1/cities/{slug}/contract",
    "GET /api/v1/contracts", "GET /api/v1/actions", "GET /api/v1/inventories",
    "GET /api/v1/consultations", "GET /api/v1/consultations/{consultation_id}",
    "GET /api/v1/consultations/{consultation_id}/results", "GET /api/v1/events",
    "GET /api/v1/events/{event_id}", "GET /api/v1/activity",
    "GET /api/v1/resources", "GET /api/v1/resources/{resource_id}",
    "GET /api/v1/funding-calls", "GET /api/v1/funding-calls/{call_id}",
    *(f"GET /api/v1/{name}.csv" for name in ("cities", "contracts", "actions", "inventories",
                                             "consultations", "events", "activity",
                                             "resources", "funding-calls")),
}


@pytest.fixture
def api_schema(make_app, db):
    # rate limits far away: the generated requests are many, and a 429 would test nothing
    app = make_app(RATE_LIMIT_API="100000 per minute")
    cons.consultation("published", city_slug="cluj-napoca", sectors=["energy"])
    cons.consultation("open", city_slug=None)
    ev.event(attendance="hybrid")
    contract = cf.contract("suceava")
    cf.funding(cf.action(contract))
    cf.inventory("suceava")
    rf.practice("suceava")
    rf.call(opens_on=None)
    _db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_its_document_says(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} == OPERATIONS
    answered: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def check(case):
            # the WSGI client reads bodies as sent: not compressed, then
            response = case.call_and_validate(headers={"Accept-Encoding": "identity"})
            answered.setdefault(case.operation.label, set()).add(response.status_code)

        check()
    assert set(answered) == OPERATIONS
    if mode == GenerationMode.POSITIVE:  # the lists answer valid arguments with 200
        assert all(200 in answered[label] for label in OPERATIONS if "{" not in label)
    else:
        assert any(422 in codes for codes in answered.values())
