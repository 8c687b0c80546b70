-- Hand-written: the audit log is append-only and hash-chained, enforced by the database itself.
--
-- Writers insert audit rows inside the transaction of the change they record (no lock, so
-- appends run at plain-INSERT speed under concurrency). audit_seal() then chains committed rows
-- into audit_chain in (txid, id) order. It seals only rows whose transaction ended before the
-- oldest transaction still running began (the snapshot's xmin), so a row committed late can
-- never fall behind the chain's head and be skipped.

CREATE INDEX "audit_log_txid_id_idx" ON "audit_log" ("txid", "id");

-- The canonical encoding of an audit row: a jsonb object, whose text form PostgreSQL produces
-- deterministically (keys sorted, whitespace fixed), so the sealer and `audit verify` agree.
CREATE FUNCTION audit_canonical(r audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'id', r.id,
    'at', to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'actorType', r.actor_type,
    'actorId', r.actor_id,
    'actorLabel', r.actor_label,
    'verb', r.verb,
    'subjectType', r.subject_type,
    'subjectId', r.subject_id,
    'data', r.data,
    'ip', r.ip
  )::text
$$;

CREATE FUNCTION audit_row_hash(prev_hash text, r audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(prev_hash || audit_canonical(r), 'UTF8')), 'hex')
$$;

-- Seals up to max_rows rows and returns how many. One sealer at a time (advisory lock); a
-- second caller returns 0 at once. Hashes are computed in order in the loop (each needs the
-- one before) and the links written with one INSERT.
CREATE FUNCTION audit_seal(max_rows integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  horizon xid8;
  head_seq bigint;
  head_hash text;
  head_txid xid8;
  head_id bigint;
  r audit_log;
  ids bigint[] := '{}';
  txids xid8[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
BEGIN
  IF NOT pg_try_advisory_xact_lock(7462013) THEN
    RETURN 0;
  END IF;
  horizon := pg_snapshot_xmin(pg_current_snapshot());
  SELECT c.seq, c.hash, c.txid, c.audit_id INTO head_seq, head_hash, head_txid, head_id
    FROM audit_chain c ORDER BY c.seq DESC LIMIT 1;
  head_seq := coalesce(head_seq, 0);
  head_hash := coalesce(head_hash, '');
  head_txid := coalesce(head_txid, '0'::xid8);
  head_id := coalesce(head_id, 0);
  FOR r IN
    SELECT * FROM audit_log a
     WHERE (a.txid, a.id) > (head_txid, head_id) AND a.txid < horizon
     ORDER BY a.txid, a.id
     LIMIT max_rows
  LOOP
    ids := ids || r.id;
    txids := txids || r.txid;
    prevs := prevs || head_hash;
    head_hash := audit_row_hash(head_hash, r);
    hashes := hashes || head_hash;
  END LOOP;
  INSERT INTO audit_chain (seq, audit_id, txid, prev_hash, hash)
    SELECT head_seq + t.ord, t.id, t.txid, t.prev, t.hash
      FROM unnest(ids, txids, prevs, hashes) WITH ORDINALITY AS t(id, txid, prev, hash, ord);
  RETURN coalesce(array_length(ids, 1), 0);
END
$$;

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_no_update_delete BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
