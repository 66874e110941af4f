-- The Slice platform's rights on the shared PostgreSQL server (15 or newer). Run once, and again on
-- every upgrade, as a superuser, in the database of the platform role's DSN (usually `postgres`),
-- after creating the login role `slice_platform` with a password:
--
--   psql -v ON_ERROR_STOP=1 -d postgres -f deploy/postgres/platform-role.sql
--
-- What the slice controller can do with it, and nothing more (docs/threat-model.md):
--   slice_platform    LOGIN CREATEDB, NOCREATEROLE, not a superuser, member of pg_read_all_data and of
--                     no slice role. It creates the slice databases (and so owns them), reads the
--                     declared baseline databases, and manages slice roles ONLY through the four
--                     functions below.
--   slice_role_admin  NOLOGIN CREATEROLE (+ pg_signal_backend): owns those functions; nobody logs
--                     in as it and nobody is a member of it, so its CREATEROLE (which on PostgreSQL 15
--                     could grant any non-superuser role, pg_execute_server_program included) is used
--                     only by the fixed statements in the function bodies.
--   slice_tenant      NOLOGIN, no privileges: the mark of a role the platform created for a slice.
--                     The functions touch only roles named slice_… that are members of it.
-- A slice role (LOGIN, no other attributes) owns the tables of its own database and nothing else.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slice_platform') THEN
    RAISE EXCEPTION 'create the login role slice_platform (with a password) first';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slice_tenant') THEN CREATE ROLE slice_tenant NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slice_role_admin') THEN CREATE ROLE slice_role_admin NOLOGIN; END IF;
END $$;

ALTER ROLE slice_tenant NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE slice_role_admin NOLOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS;
GRANT pg_signal_backend TO slice_role_admin;
ALTER ROLE slice_platform LOGIN CREATEDB NOCREATEROLE NOSUPERUSER NOREPLICATION NOBYPASSRLS;
GRANT pg_read_all_data TO slice_platform;

-- Earlier versions made slice_platform a member of every slice role (to SET ROLE into it) and let
-- slice roles own their databases: take those memberships back, hand the databases to the platform,
-- and mark the slice roles.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT g.rolname AS granted, u.rolname AS member FROM pg_auth_members m
      JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
      WHERE u.rolname IN ('slice_platform', 'slice_role_admin', 'slice_tenant')
        AND g.rolname NOT IN ('pg_read_all_data', 'pg_signal_backend') LOOP
    EXECUTE format('REVOKE %I FROM %I', r.granted, r.member);
  END LOOP;
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname ~ '^slice_[a-z0-9_]+$'
      AND rolname NOT IN ('slice_platform', 'slice_role_admin', 'slice_tenant')
      AND shobj_description(oid, 'pg_authid') LIKE '{"slice.dev/slice"%' LOOP
    EXECUTE format('GRANT slice_tenant TO %I', r.rolname);
  END LOOP;
  FOR r IN SELECT datname FROM pg_database d WHERE datname ~ '^slice_[a-z0-9_]+$'
      AND shobj_description(oid, 'pg_database') LIKE '{"slice.dev/slice"%'
      AND datdba <> (SELECT oid FROM pg_roles WHERE rolname = 'slice_platform') LOOP
    EXECUTE format('ALTER DATABASE %I OWNER TO slice_platform', r.datname);
  END LOOP;
END $$;

CREATE SCHEMA IF NOT EXISTS slice_admin AUTHORIZATION CURRENT_USER;
REVOKE ALL ON SCHEMA slice_admin FROM PUBLIC;
GRANT USAGE ON SCHEMA slice_admin TO slice_platform, slice_role_admin;

-- The one check every function makes: a slice role's name, and (when it exists) the slice_tenant mark.
CREATE OR REPLACE FUNCTION slice_admin.is_slice_role(p_name text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT p_name ~ '^slice_[a-z0-9_]{1,57}$' AND p_name NOT IN ('slice_platform', 'slice_role_admin', 'slice_tenant')
     AND EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
                 WHERE r.rolname = p_name AND g.rolname = 'slice_tenant')
$fn$;

-- Creates the slice role, or resets an existing one (it must carry the mark): LOGIN with the given
-- password and no other attribute, settings reset, member of slice_tenant and of nothing else, no
-- members; COMMENT = the marker.
CREATE OR REPLACE FUNCTION slice_admin.ensure_role(p_name text, p_password text, p_comment text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE r record;
BEGIN
  IF p_name !~ '^slice_[a-z0-9_]{1,57}$' OR p_name IN ('slice_platform', 'slice_role_admin', 'slice_tenant') THEN
    RAISE EXCEPTION 'not a slice role name: %', p_name USING ERRCODE = '42501';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
    IF NOT slice_admin.is_slice_role(p_name) THEN
      RAISE EXCEPTION 'the role % exists and is not a slice role: left alone', p_name USING ERRCODE = '42501';
    END IF;
    -- SUPERUSER, REPLICATION and BYPASSRLS only a superuser can give (or name): a role made here never has them
    EXECUTE format('ALTER ROLE %I LOGIN NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT 20 PASSWORD %L', p_name, p_password);
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT 20 PASSWORD %L IN ROLE slice_tenant', p_name, p_password);
  END IF;
  EXECUTE format('ALTER ROLE %I RESET ALL', p_name);
  EXECUTE format('COMMENT ON ROLE %I IS %L', p_name, p_comment);
  FOR r IN SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
      WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = p_name) AND g.rolname <> 'slice_tenant' LOOP
    EXECUTE format('REVOKE %I FROM %I', r.rolname, p_name);
  END LOOP;
  FOR r IN SELECT u.rolname FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member
      WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = p_name) LOOP
    EXECUTE format('REVOKE %I FROM %I', p_name, r.rolname);
  END LOOP;
END
$fn$;

-- LOGIN or NOLOGIN (the data quota); NOLOGIN also ends the role's sessions.
CREATE OR REPLACE FUNCTION slice_admin.set_login(p_name text, p_login boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF NOT slice_admin.is_slice_role(p_name) THEN RAISE EXCEPTION 'not a slice role: %', p_name USING ERRCODE = '42501'; END IF;
  EXECUTE format('ALTER ROLE %I %s', p_name, CASE WHEN p_login THEN 'LOGIN' ELSE 'NOLOGIN' END);
  IF NOT p_login THEN
    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = p_name;
  END IF;
END
$fn$;

-- Drops a slice role (its database must be gone first). A role that does not exist is fine.
CREATE OR REPLACE FUNCTION slice_admin.drop_role(p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN RETURN; END IF;
  IF NOT slice_admin.is_slice_role(p_name) THEN RAISE EXCEPTION 'not a slice role: %', p_name USING ERRCODE = '42501'; END IF;
  PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = p_name;
  EXECUTE format('DROP ROLE %I', p_name);
END
$fn$;

ALTER FUNCTION slice_admin.is_slice_role(text) OWNER TO slice_role_admin;
ALTER FUNCTION slice_admin.ensure_role(text, text, text) OWNER TO slice_role_admin;
ALTER FUNCTION slice_admin.set_login(text, boolean) OWNER TO slice_role_admin;
ALTER FUNCTION slice_admin.drop_role(text) OWNER TO slice_role_admin;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA slice_admin FROM PUBLIC;
GRANT EXECUTE ON FUNCTION slice_admin.ensure_role(text, text, text), slice_admin.set_login(text, boolean), slice_admin.drop_role(text) TO slice_platform;
