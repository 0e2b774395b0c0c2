"""Channel spaces of an ``nn.Sequential``, found by walking it (no tracing, no extra packages).

The walk follows the tensor layout: a Linear layer makes ``(N, F)`` features, a convolution
``(N, C, *S)`` channels, and a ``Flatten`` after a convolution turns channel ``r`` into the
block of features ``[r·S, (r+1)·S)`` of the next Linear layer. Anything the walk cannot see
through keeps every channel around it.
"""

from __future__ import annotations

from collections.abc import Iterator

from torch import Tensor, nn

from netreg.pruning import layers as L
from netreg.pruning.space import Member, Space

KNOWN: tuple[type[nn.Module], ...] = (
    nn.Linear,
    nn.Conv1d,
    nn.Conv2d,
    nn.Flatten,
    nn.PReLU,
    *L.ACTIVATIONS,
    *L.DROPOUTS,
    *L.BATCH_NORMS,
    *L.POOLS,
    *L.COUPLING,
)


def leaves(model: nn.Sequential, prefix: str = "") -> Iterator[tuple[str, nn.Module]]:
    """``(name, module)`` of every non-Sequential module, nested Sequentials flattened."""
    for name, child in model.named_children():
        if isinstance(child, nn.Sequential):
            yield from leaves(child, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", child


def is_plain(model: nn.Module) -> bool:
    """True for a (nested) ``nn.Sequential`` made only of layers this walk understands."""
    return isinstance(model, nn.Sequential) and all(type(m) in KNOWN for _, m in leaves(model))


def _identity(n: int) -> list[list[int]]:
    return [[i] for i in range(n)]


class _Walk:
    """State of the walk: the open space and what is known about the tensor's layout."""

    def __init__(self) -> None:
        self.spaces: list[Space] = []
        self.space = Space(label="the model input", is_input=True)
        self.spatial: bool | None = None  # (N, C, *S) layout? None: not known (model input)
        self.flat_channels: int | None = None  # a Flatten turned this many channels into blocks
        self.producer: nn.Module | None = None
        self.ops: list[nn.Module] = []  # modules between the producer and the next consumer
        self.constant_ok = True
        self.seen: set[int] = set()
        self.input_axis: int | None = None

    # -- one module --------------------------------------------------------------------
    def step(self, name: str, m: nn.Module) -> None:
        shared = id(m) in self.seen and any(True for _ in m.parameters())
        self.seen.add(id(m))
        if shared:
            self.opaque(name, m, "appears twice in the chain (shared weights)")
        elif L.is_prunable(m):
            self.consume(name, m)
            self.produce(name, m)
        elif isinstance(m, L.BATCH_NORMS):
            self.batch_norm(name, m)
        elif L.is_elementwise(m):
            self.ops.append(m)
        elif isinstance(m, L.POOLS):
            self.pool(name, m)
        elif isinstance(m, nn.Flatten):
            self.flatten(name, m)
        elif isinstance(m, L.COUPLING):
            self.space.block(
                f"'{name}' ({type(m).__name__}) mixes all its features, so removing one "
                "would change the others"
            )
        else:
            self.opaque(name, m, "is not a layer the walk can see through")

    def consume(self, name: str, m: nn.Module) -> None:
        index = self._consumer_index(name, m)
        if index is None:
            return
        if self.space.size is None:
            self.space.size = len(index)
        if self.space.size != len(index):
            self.space.block(
                f"'{name}' reads {len(index)} channels where {self.space.size} were made"
            )
            return
        if self.space.is_input and self.space.blocked is None:
            self.input_axis = -1 if isinstance(m, nn.Linear) else 1
        self.space.consumers.append(Member(name, m, index))

    def _consumer_index(self, name: str, m: L.Layer) -> list[list[int]] | None:
        if isinstance(m, nn.Linear):
            if self.flat_channels is not None:
                c, f = self.flat_channels, m.in_features
                if f % c:
                    self.space.block(f"'{name}' reads {f} features, not a multiple of {c} channels")
                    return None
                s = f // c
                return [list(range(r * s, (r + 1) * s)) for r in range(c)]
            if self.spatial:
                self.space.block(f"'{name}' is applied to the last spatial axis, not to channels")
                return None
            return _identity(m.in_features)
        if self.spatial is False:
            self.space.block(f"'{name}' is a convolution applied to flat features")
            return None
        return _identity(m.in_channels)

    def produce(self, name: str, m: nn.Module) -> None:
        self.close()
        out = L.n_out(m)
        self.space = Space(
            label=f"the units of '{name}'", size=out, producers=[Member(name, m, _identity(out))]
        )
        self.spatial = not isinstance(m, nn.Linear)
        self.flat_channels = None
        self.producer, self.ops, self.constant_ok = m, [], True

    def batch_norm(self, name: str, m: L.Layer) -> None:
        if self.flat_channels is not None or (
            self.space.size is not None and m.num_features != self.space.size
        ):
            self.space.block(f"'{name}' normalizes {m.num_features} features, not these channels")
            return
        self.space.size = m.num_features
        self.space.norms.append(Member(name, m, _identity(m.num_features)))
        self.ops.append(m)

    def pool(self, name: str, m: nn.Module) -> None:
        if self.spatial is False:
            self.opaque(name, m, "pools flat features")
            return
        if self.spatial is None:
            self.space.block(f"'{name}' pools the model input before the first layer")
        padded = getattr(m, "padding", 0)
        if (
            isinstance(m, (nn.AvgPool1d, nn.AvgPool2d))
            and m.count_include_pad
            and padded
            not in (
                0,
                (0,),
                (0, 0),
            )
        ):
            self.constant_ok = False  # the zero padding enters the border averages

    def flatten(self, name: str, m: nn.Flatten) -> None:
        whole = m.start_dim == 1 and m.end_dim == -1
        if self.spatial and whole and self.space.size is not None:
            self.flat_channels, self.spatial = self.space.size, False
        elif self.spatial is False and m.start_dim in (1, -1):
            pass  # (N, F) is already flat
        elif self.spatial is None and whole:
            self.space.block(f"'{name}' flattens the model input, so its features are pixels")
            self.spatial = False
        else:
            self.opaque(name, m, f"flattens dims {m.start_dim}..{m.end_dim}")

    def opaque(self, name: str, m: nn.Module, why: str) -> None:
        reason = f"'{name}' ({type(m).__name__}) {why}"
        self.space.block(reason)
        self.close()
        self.space = Space(label=f"the output of '{name}'", blocked=reason)
        self.spatial, self.flat_channels, self.producer, self.ops = None, None, None, []

    def close(self) -> None:
        if self.producer is not None:
            self.space.constant = _constant_reader(self.producer, list(self.ops), self.constant_ok)
        self.spaces.append(self.space)

    def finish(self) -> list[Space]:
        self.space.block("it is the model output")
        self.close()
        return self.spaces


def _constant_reader(producer: nn.Module, ops: list[nn.Module], ok: bool):
    cache: list[Tensor] = []

    def constant(consumer: Member, r: int) -> Tensor | None:
        if not ok:
            return None
        if not cache:
            cache.append(L.constant_after_producer(producer, ops))
        return cache[0][r].expand(len(consumer.index[r]))

    return constant


def sequential_spaces(model: nn.Sequential) -> tuple[list[Space], int | None]:
    """The spaces of a Sequential, first the model input, and the input's feature axis."""
    walk = _Walk()
    for name, m in leaves(model):
        walk.step(name, m)
    spaces = walk.finish()
    return spaces, walk.input_axis
