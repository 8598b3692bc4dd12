# Shared pytest setup: one thread (the CI machine has 2 shared cores) and a small toy shard per session.
import pytest
import torch

from kinema_py.toyworld import write_toy_shard

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def toy_shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("toy")
    return (
        write_toy_shard(str(root / "train"), 160, n_frames=8, size=32, seed=0),
        write_toy_shard(str(root / "test"), 60, n_frames=8, size=32, seed=1),
    )
