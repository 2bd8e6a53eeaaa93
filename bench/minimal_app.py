"""The yardstick: a minimal Flask page, served the same way as the hub."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "<!doctype html><title>minimal</title><p>Hello</p>"
