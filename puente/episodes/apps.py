from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "puente.episodes"
    label = "episodes"
