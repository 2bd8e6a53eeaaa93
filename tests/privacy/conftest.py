"""Fixtures of the privacy tests: en, a client that asks for English pages."""

import pytest


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
