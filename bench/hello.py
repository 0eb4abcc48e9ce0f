"""The bare Flask app every page is compared with (bench/wrk_ratio.py serves it beside ours)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
