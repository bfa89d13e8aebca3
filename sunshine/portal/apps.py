from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sunshine.portal"
    label = "portal"
