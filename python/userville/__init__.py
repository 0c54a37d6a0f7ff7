"""UserVille: simulated users and PPP rewards for training agents that ask well. See python/README.md."""

__version__ = "0.1.0"

from .client import Client  # noqa: E402
from .errors import UserVilleError  # noqa: E402

__all__ = ["Client", "UserVilleError", "__version__"]
