from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic data: the demo agency (seed_demo) and the scale data set (generate_scale). Nothing imports it."""

    name = "puente.demo"
    label = "demo"
