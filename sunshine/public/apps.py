from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "sunshine.public"
    label = "public"
