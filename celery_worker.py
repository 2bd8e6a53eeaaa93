"""Entry point of the Celery worker and beat: ``celery -A celery_worker worker --beat``."""

from m100hub import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
