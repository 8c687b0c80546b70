-- warden_require(ok, message): true, or the statement fails with SQLSTATE WR001 and `message`.
-- Lets one statement check what it was decided on (the agent's control epoch) and write nothing
-- when that moved: a plain CASE with a constant error would be folded and raise at plan time.
CREATE FUNCTION warden_require(ok boolean, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'WR001', MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
