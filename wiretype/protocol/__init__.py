"""The sans-I/O core of the runtime: pure state machines, no sockets, no asyncio, no clock.

.. code-block:: text

      text frames, now ──►  ServerConnection / ClientConnection  ──► frames to write
                                   │        ▲                    ──► events
                       accept/ack/nack/send/tick(now)

- ``envelope``: reading a frame's header and runtime keys; writing frames by splicing;
- ``package``: what the core needs from a generated package (``Package.from_module``);
- ``negotiation``: hello → the version of each message on a connection;
- ``delivery``: the sender's ``Outbox`` (acks, retries with backoff) and the receiver's
  ``DedupeWindow``;
- ``session``: seq, epoch and the ``ReplayBuffer``; ``queues``: priority then age, expiry;
- ``heartbeat``, ``backoff`` (full jitter), ``limits`` (``Settings``, ``TokenBucket``);
- ``server``: ``ServerConnection``; ``client``: ``ClientConnection``; ``events``.

Time is ``now`` in milliseconds, passed in; randomness is injected. The adapters in
``wiretype.server`` and ``wiretype.client`` pump these machines.
"""

from .client import ClientConnection
from .limits import Settings
from .package import MessageInfo, Package
from .server import ServerConnection, State

__all__ = ["ClientConnection", "MessageInfo", "Package", "ServerConnection", "Settings", "State"]
