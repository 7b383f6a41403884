"""Knowledge store benchmark: ingest rate (chunks/s, local CPU embedder + embedded Chroma) and query
p50/p95 at N chunks (default 10,000). Synthetic chunks made from the playbooks; a temp data dir."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    os.environ["XOPS_DATA_DIR"] = tempfile.mkdtemp(prefix="xops-kbench-")
    os.environ.pop("XOPS_CHROMA_URL", None)
    from xops.knowledge import embedder
    from xops.knowledge.ingest import builtin_chunks, chunk_id
    from xops.knowledge.store import Chunk, KnowledgeStore

    embedder.embed(["warm up"])
    base = builtin_chunks()
    chunks = [Chunk(id=chunk_id("bench", f"{i}"), text=f"{base[i % len(base)].text} (note {i})",
                    title=f"bench {i}", source="bench", kind="document", pillar=base[i % len(base)].pillar)
              for i in range(args.chunks)]
    store = KnowledgeStore.default()
    t = time.perf_counter()
    store.add(chunks)
    took = time.perf_counter() - t
    print(f"ingest: {len(chunks)} chunks in {took:.1f} s = {len(chunks) / took:.0f} chunks/s (store: {store.count()})")
    words = ["unattached volumes", "public buckets", "idle NAT gateway", "MFA for console users", "backup retention",
             "old snapshots", "log retention", "KMS rotation", "SSH open to the world", "cost spike"]
    lat = []
    for i in range(args.queries):
        t = time.perf_counter()
        store.search(words[i % len(words)] + f" {i}", k=5)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    print(f"query (embed + search, k=5) at {store.count()} chunks: p50 {statistics.median(lat):.1f} ms, "
          f"p95 {lat[int(len(lat) * 0.95) - 1]:.1f} ms over {len(lat)} queries")


if __name__ == "__main__":
    main()
