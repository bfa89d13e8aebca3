from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "sunshine.schools"
    label = "schools"
