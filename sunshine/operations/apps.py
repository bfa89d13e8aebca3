from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "sunshine.operations"
    label = "operations"
