-- OrleansLog schema, part 2: cluster membership (Orleans.Clustering.AdoNet).
--
-- One version row per cluster (DeploymentId) and one row per silo incarnation. Orleans changes membership
-- optimistically: every insert or update names the table version it read, and succeeds only if that is
-- still the version, bumping it. Each statement below does that in one round trip: it first locks the
-- version row (FOR UPDATE re-checks the version after any wait), so the row change and the version bump
-- happen together or not at all. All times are timestamptz: the provider passes UTC values.

CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deployment_id varchar(150) NOT NULL PRIMARY KEY,
    version       integer      NOT NULL DEFAULT 0,
    changed_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deployment_id  varchar(150)  NOT NULL REFERENCES orleans_membership_version (deployment_id),
    address        varchar(45)   NOT NULL,
    port           integer       NOT NULL,
    generation     integer       NOT NULL,
    silo_name      varchar(150)  NOT NULL,
    host_name      varchar(150)  NOT NULL,
    status         integer       NOT NULL,
    proxy_port     integer       NULL,
    suspect_times  varchar(8000) NULL,
    start_time     timestamptz   NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', '
    WITH inserted AS (
        INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId)
        ON CONFLICT (deployment_id) DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM inserted;'),

('InsertMembershipKey', '
    WITH locked AS (
        SELECT deployment_id FROM orleans_membership_version
        WHERE deployment_id = @DeploymentId AND version = @Version
        FOR UPDATE),
    inserted AS (
        INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name,
                                        status, proxy_port, start_time, i_am_alive_time)
        SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName,
               @Status, @ProxyPort, @StartTime, @IAmAliveTime
        FROM locked
        ON CONFLICT (deployment_id, address, port, generation) DO NOTHING
        RETURNING deployment_id),
    bumped AS (
        UPDATE orleans_membership_version v SET version = v.version + 1, changed_at = now()
        FROM inserted WHERE v.deployment_id = inserted.deployment_id
        RETURNING 1)
    SELECT count(*)::integer FROM bumped;'),

('UpdateMembershipKey', '
    WITH locked AS (
        SELECT deployment_id FROM orleans_membership_version
        WHERE deployment_id = @DeploymentId AND version = @Version
        FOR UPDATE),
    updated AS (
        UPDATE orleans_membership m
        SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
        FROM locked
        WHERE m.deployment_id = locked.deployment_id
          AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
        RETURNING m.deployment_id),
    bumped AS (
        UPDATE orleans_membership_version v SET version = v.version + 1, changed_at = now()
        FROM updated WHERE v.deployment_id = updated.deployment_id
        RETURNING 1)
    SELECT count(*)::integer FROM bumped;'),

-- Liveness heartbeats do not change the table version: nobody decides anything on them alone.
('UpdateIAmAlivetimeKey', '
    UPDATE orleans_membership SET i_am_alive_time = @IAmAliveTime
    WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;'),

-- Both reads return the version row even when no silo row matches (the LEFT JOIN), which is how the
-- provider learns the table version of an empty or new cluster.
('MembershipReadRowKey', '
    SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
           m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
           v.version AS Version
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
         AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.deployment_id = @DeploymentId;'),

('MembershipReadAllKey', '
    SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
           m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
           v.version AS Version
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
    WHERE v.deployment_id = @DeploymentId;'),

-- Clients find gateways here: active silos (the provider passes Status = Active) with a gateway port.
('GatewaysQueryKey', '
    SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
    FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;'),

('DeleteMembershipTableEntriesKey', '
    DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId;
    DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId;'),

-- The older, coarse cleanup: rows of silos that stopped heartbeating before the cutoff and are not active.
('CleanupDefunctSiloEntriesKey', '
    DELETE FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3;'),

-- The provider (10.4+) prefers this one when it exists: it deletes one dead silo''s row only if the row
-- still holds exactly what the provider read (so a row that changed meanwhile is kept).
('CleanupDefunctSiloEntryKey', '
    DELETE FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
      AND status = 6 AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
      AND suspect_times IS NOT DISTINCT FROM @SuspectTimes;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
