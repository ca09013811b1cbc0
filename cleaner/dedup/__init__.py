"""Exact and near-duplicate removal across all shards (MinHash-LSH with Chinese-aware shingles).

How the engine uses it, phase by phase:

1. clean (per unit): `UnitSignatures(unit, params)`; `.add(row, id, text, source_file, line,
   quality_score)` for every kept document in unit order (row = its index among the unit's kept
   rows); `.write(path)` into the unit's part folder or a signatures folder that outlives the run
   (needed for `--dedup-against`). Hashing happens in batches of `params.batch_docs` texts.
2. dedup (global, once): `run_dedup(signature_files, out_dir, params, against=old_files,
   against_removed=old_out_dir)` writes `out_dir/<unit>.parquet` for units with removals and
   `out_dir/summary.json`, via `<out_dir>.tmp` renamed at the end: an existing out_dir is a done
   phase. Every step is a set of partitioned tasks run through a mapper (here or as Ray tasks),
   resumable task by task. Same output whatever the unit split, the list order, the memory budget
   or the partition count.
3. finalise (per shard): for each of its units, `split_removed(kept_table, load_removals(out_dir,
   unit))` gives the rows to keep and the removed rows with reason / duplicate_of / cluster_id /
   cluster_size for the rejected output.

Modules: params (recipe keys), shingles, minhash, lsh, exact (hashes), store (per-unit file),
cluster (the global phase's driver), work (its resumable tasks), ranking (keeper priority by a
distributed sort), partitions (hash split), candidates (collision edges of one partition), verify
(estimated Jaccard), keepers (who stays), sweep (greedy keepers range by range), stars
(union-find components on disk), components (in-memory union-find), resolve (keeper facts and
removal files), removals (the phase's output).
"""
