-- Hand-written: the audit log is append-only and hash-chained, enforced by the database itself.


-- The canonical encoding of an audit row: a jsonb object, whose text form PostgreSQL produces
-- deterministically (keys sorted, whitespace fixed), so the writer and `audit verify` agree.
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

-- Chains each new row to the last committed one. The transaction-scoped advisory lock
-- serializes appends until commit, and the id is drawn after the lock is held, so id order is
-- chain order. Writers append their audit row last in a transaction to keep the lock short.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7462013);
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  NEW.at := clock_timestamp();
  SELECT hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(last_hash, '');
  NEW.hash := audit_row_hash(NEW.prev_hash, NEW);
  RETURN NEW;
END
$$;

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

-- The trigger draws the id; a column default would spend a second sequence value per row and
-- leave gaps that look like removed rows.
ALTER TABLE audit_log ALTER COLUMN id DROP DEFAULT;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
