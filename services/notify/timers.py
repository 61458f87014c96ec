"""A timer whose interval the operator sets in the config (seconds), e.g. tests and busy
systems deliver more often than the default."""
from nameko.timer import Timer


class ConfiguredTimer(Timer):
    def __init__(self, key: str, interval: float, **kwargs):
        self.key = key
        super().__init__(interval, **kwargs)

    def setup(self):
        super().setup()
        self.interval = float(self.container.config.get(self.key) or self.interval)


every = ConfiguredTimer.decorator
