-- OrleansLog schema, part 3: grain state (Orleans.Persistence.AdoNet).
--
-- The coordinator's topics, partition assignments, leaders, ISRs and epochs, the consumer groups and
-- their committed offsets, and producer ids all live here. A grain is identified by its type and key
-- (the provider splits the key into two 64-bit parts and a string part); the primary key says exactly
-- that, so no hash columns are needed. `version` is the optimistic-concurrency tag: a write names the
-- version it read and only succeeds if it is still current.

CREATE TABLE IF NOT EXISTS orleanslog_grain_state
(
    service_id    varchar(150) NOT NULL,
    grain_type    varchar(512) NOT NULL,
    key_n0        bigint       NOT NULL,
    key_n1        bigint       NOT NULL,
    key_string    varchar(512) NOT NULL,
    payload       bytea        NULL,
    version       integer      NOT NULL,
    modified_at   timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, key_n0, key_n1, key_string)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
    SELECT payload AS PayloadBinary, version AS Version
    FROM orleanslog_grain_state
    WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
      AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '''');'),

-- A first write (no version yet) inserts version 1; later writes update only the version they read.
-- The single result row carries the new version, or NULL when the caller''s version was stale.
('WriteToStorageKey', '
    WITH updated AS (
        UPDATE orleanslog_grain_state
        SET payload = @PayloadBinary, version = version + 1, modified_at = now()
        WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
          AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '''')
          AND version = @GrainStateVersion
        RETURNING version),
    inserted AS (
        INSERT INTO orleanslog_grain_state (service_id, grain_type, key_n0, key_n1, key_string, payload, version)
        SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString, ''''), @PayloadBinary, 1
        WHERE @GrainStateVersion::integer IS NULL
        ON CONFLICT (service_id, grain_type, key_n0, key_n1, key_string) DO NOTHING
        RETURNING version)
    SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted LIMIT 1) AS NewGrainStateVersion;'),

-- Clearing keeps the row (with no payload) so the version keeps counting and a stale writer still loses.
('ClearStorageKey', '
    WITH cleared AS (
        UPDATE orleanslog_grain_state
        SET payload = NULL, version = version + 1, modified_at = now()
        WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
          AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '''')
          AND version = @GrainStateVersion
        RETURNING version)
    SELECT (SELECT version FROM cleared) AS NewGrainStateVersion;'),

-- Used instead of ClearStorageKey when a storage is configured with DeleteStateOnClear.
('DeleteStorageKey', '
    WITH deleted AS (
        DELETE FROM orleanslog_grain_state
        WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
          AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '''')
          AND version = @GrainStateVersion
        RETURNING version)
    SELECT (SELECT version + 1 FROM deleted) AS NewGrainStateVersion;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
