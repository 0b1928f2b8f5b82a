-- Fills an empty Juggler ledger (tables jg_* on the search_path, made by the juggler itself) with a corpus of
-- :tracks videos and tracks, :per chunks per track (1,000 frames each), job records and an attempt
-- history, server-side with generate_series. Shape (by track number modulo 100):
--   0-59 DONE; 60-61 running (5 chunks DONE, 1 LEASED, the rest PENDING); 62-63 FAILED (one chunk FAILED
--   with one of a dozen reasons that differ in numbers and paths, the rest DONE); 64-99 PENDING.
-- Tags: camera (50 values), region (10), film (1,000). Changes spread over the last 7 days.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO jg_videos (id, location, frame_count, fps, size_bytes, stage_state, registered_ms, updated_ms)
SELECT 'v-' || lpad(i::text, 7, '0'), '/corpus/region-' || (i % 10) || '/cam ' || (i % 50) || '/v-' || i || '.mp4',
       :per * 1000, 25, 50000000, CASE WHEN i % 100 BETWEEN 60 AND 63 THEN 'STAGED' ELSE 'PENDING' END, :now - 604800000, :now - 604800000
FROM generate_series(1, :tracks) i;
INSERT INTO jg_video_tags (video_id, tag_key, tag_value)
SELECT 'v-' || lpad(i::text, 7, '0'), k, CASE k WHEN 'camera' THEN 'cam-' || (i % 50) WHEN 'region' THEN 'r' || (i % 10) ELSE 'f-' || (i % 1000) END
FROM generate_series(1, :tracks) i, (VALUES ('camera'), ('region'), ('film')) t(k);
INSERT INTO jg_tracks (id, video_id, analysis, frame_from, frame_to, priority, created_ms)
SELECT i, 'v-' || lpad(i::text, 7, '0'), CASE WHEN i % 10 = 0 THEN 'objects' ELSE 'pose' END, 0, :per * 1000, i % 5, :now - 604800000
FROM generate_series(1, :tracks) i;
SELECT setval(pg_get_serial_sequence('jg_tracks', 'id'), :tracks);
INSERT INTO jg_chunks (id, track_id, frame_from, frame_to, state, version, lease_token, lease_owner, lease_job, lease_expires_ms,
                        lease_duration_ms, checkpoint, attempts, failure_reason, priority, created_ms, updated_ms)
SELECT (i - 1) * :per + k + 1, i, k * 1000, (k + 1) * 1000, s.state, 1,
       CASE WHEN s.state = 'LEASED' THEN md5(i::text) END, CASE WHEN s.state = 'LEASED' THEN 'node-' || (i % 33) END,
       CASE WHEN s.state = 'LEASED' THEN 'job-' || (i % 33) WHEN s.state = 'DONE' THEN 'job-' || (i % 3000) END,
       CASE WHEN s.state = 'LEASED' THEN :now + 600000 END, CASE WHEN s.state = 'LEASED' THEN 600000 END,
       CASE WHEN s.state = 'DONE' THEN (k + 1) * 1000 ELSE k * 1000 END, CASE WHEN s.state = 'FAILED' THEN 3 ELSE 0 END,
       CASE WHEN s.state = 'FAILED' THEN (ARRAY[
         'cannot decode frame ' || (k * 1000 + i % 997) || ' of /corpus/region-' || (i % 10) || '/cam ' || (i % 50) || '/v-' || i || '.mp4',
         'worker ran out of memory after ' || (i % 300) || ' frames (heap 4096 MiB)',
         'model crashed: CUDA error 700 on device ' || (i % 4),
         'lease expired 3 times',
         'job job-' || (i % 3000) || ' revoked: ended TIMEOUT (TIMEOUT, exit 0) (attempts exhausted: 3)',
         'video /corpus/v-' || i || '.mp4 is cut short: frame ' || (k * 1000 + 17) || ' and those after it cannot be read',
         'set aside: camera replaced on 2026-11-' || lpad((1 + i % 28)::text, 2, '0'),
         'OpenPose exited with 139 after 0x' || to_hex(i * 7919) || ' in /opt/openpose/build/libopenpose.so',
         'permission denied: /scratch/u' || (i % 40) || '/out/v-' || i,
         'no space left on device while writing /scratch/job-' || (i % 3000) || '/part-' || k || '.json',
         'timeout after ' || (30 + i % 60) || ' s waiting for the GPU',
         'unsupported pixel format yuv4' || (20 + i % 3) || 'p10le'
       ])[1 + (i / 100) % 12] END,
       i % 5, :now - 604800000, :now - ((i * 7919 + k * 104729) % 604800000)
FROM generate_series(1, :tracks) i, generate_series(0, :per - 1) k,
LATERAL (SELECT CASE WHEN i % 100 < 60 THEN 'DONE'
                     WHEN i % 100 < 62 THEN CASE WHEN k < 5 THEN 'DONE' WHEN k = 5 THEN 'LEASED' ELSE 'PENDING' END
                     WHEN i % 100 < 64 THEN CASE WHEN k = 3 THEN 'FAILED' ELSE 'DONE' END
                     ELSE 'PENDING' END AS state) s;
SELECT setval(pg_get_serial_sequence('jg_chunks', 'id'), :tracks * :per);
INSERT INTO jg_chunk_history (chunk_id, track_id, frame_from, frame_to, kind, attempt, reason, job_id, at_ms)
SELECT c.id, c.track_id, c.frame_from, c.frame_to, CASE WHEN a = 3 THEN 'FAILED' ELSE 'RETRIED' END, a, c.failure_reason,
       'job-' || (c.track_id % 3000), c.updated_ms - (3 - a) * 60000
FROM jg_chunks c, generate_series(1, 3) a WHERE c.state = 'FAILED';
INSERT INTO jg_jobs (job_id, generation, run_key, submission_id, adopted, spec_hash, submitted_ms, frames_from_ms, changes, state,
                      native_state, reason, exit_code, state_ms, ended_ms, settled_ms)
SELECT 'job-' || j, 1, 'bench', NULL, false, 'hash', :now - 604800000 + j * 200000, :now - 604800000 + j * 200000, 2,
       s.state, s.state, CASE WHEN s.state = 'FAILED' THEN 'OutOfMemory' END, CASE WHEN s.state IN ('COMPLETED', 'FAILED') THEN
       CASE WHEN s.state = 'FAILED' THEN 137 ELSE 0 END END, :now - 604800000 + j * 200000 + 60000,
       CASE WHEN s.state IN ('COMPLETED', 'FAILED') THEN :now - 604800000 + j * 200000 + 3600000 END,
       CASE WHEN s.state IN ('COMPLETED', 'FAILED') THEN :now - 604800000 + j * 200000 + 3700000 END
FROM generate_series(0, 2999) j,
LATERAL (SELECT CASE WHEN j >= 2967 THEN 'RUNNING' WHEN j % 20 = 0 THEN 'FAILED' ELSE 'COMPLETED' END AS state) s;
INSERT INTO jg_job_states (job_row, seq, at_ms, state, native_state)
SELECT id, 1, submitted_ms + 60000, 'RUNNING', 'RUNNING' FROM jg_jobs;
COMMIT;
ANALYZE jg_videos;
ANALYZE jg_video_tags;
ANALYZE jg_tracks;
ANALYZE jg_chunks;
ANALYZE jg_chunk_history;
ANALYZE jg_jobs;
ANALYZE jg_job_states;
