"""Entry point of the Celery worker and beat: ``celery -A celery_worker worker --beat``."""

from m100hub import create_app

app = create_app()
celery = app.extensions["celery"]
