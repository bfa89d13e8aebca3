from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "sunshine.console"
    label = "console"
