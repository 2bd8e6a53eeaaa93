"""Fixtures shared by every test folder, as pytest plugins listed in tests/conftest.py."""
