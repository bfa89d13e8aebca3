from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "sunshine.classes"
    label = "classes"
