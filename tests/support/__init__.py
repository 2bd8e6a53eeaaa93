"""What tests import: test data builders (factories), helpers shared by several test modules,
the test environment (databases, services) and the live stack. Fixtures live in
tests/plugins/ (and a folder's conftest.py), never here; no test module imports another."""
