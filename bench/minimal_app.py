"""The yardsticks, served the same way as the hub: a minimal Flask page, and a Flask page
rendering a 20-item Jinja list (what a page of the hub is at the least)."""

from flask import Flask, render_template_string

app = Flask(__name__)

LIST = """<!doctype html><html lang="ro"><title>{{ title }}</title><main><h1>{{ title }}</h1>
<ol>{% for item in items %}<li id="item-{{ item.id }}">
<a href="/items/{{ item.id }}">{{ item.name }}</a><p>{{ item.text }}</p></li>{% endfor %}</ol>
</main></html>"""
TEXT = "Izolarea termică a blocurilor și panouri solare pe acoperișuri."
ITEMS = [{"id": n, "name": f"Propunerea {n}", "text": TEXT} for n in range(1, 21)]


@app.route("/")
def hello():
    return "<!doctype html><title>minimal</title><p>Hello</p>"


@app.route("/list")
def twenty_items():
    return render_template_string(LIST, title="Listă", items=ITEMS)
