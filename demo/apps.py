from django.apps import AppConfig


class DemoConfig(AppConfig):
    # No models, so no verbose name: the admin never lists this app.
    name = "demo"
