-- wrk script for bench/run.py.
--
-- Usage: wrk -t1 -c C -d MAX --timeout T [-H HEADER ...] -s wrk_report.lua URL -- QUOTA [EXPECTED_STATUS]
--
-- Each thread stops after QUOTA responses (0: run for the whole duration) and then
-- interrupts wrk's main thread, which otherwise sleeps for the whole -d duration.
-- At the end one line "BENCH-JSON {...}" carries the counts and the full latency
-- histogram (microseconds -> count), so that run.py can merge rounds exactly.

local quota = 0
local expected = 200
-- Globals, not locals: done() reads them from each thread with thread:get().
responses, non200, hits, misses = 0, 0, 0, 0
local threads = {}

local ok_ffi, ffi = pcall(require, "ffi")
if ok_ffi then
  ok_ffi = pcall(ffi.cdef, [[
    int getpid(void);
    int tgkill(int tgid, int tid, int sig);
  ]])
end

local function interrupt_main()
  if ok_ffi then
    local pid = ffi.C.getpid()
    pcall(ffi.C.tgkill, pid, pid, 2)  -- SIGINT to the main thread: its sleep() ends.
  end
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  quota = tonumber(args[1]) or 0
  expected = tonumber(args[2]) or 200
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= expected then
    non200 = non200 + 1
  end
  local x_cache = headers["X-Cache"] or headers["x-cache"]
  if x_cache == "hit" then
    hits = hits + 1
  elseif x_cache == "miss" then
    misses = misses + 1
  end
  if quota > 0 and responses == quota then
    wrk.thread:stop()
    interrupt_main()
  end
end

function done(summary, latency, requests)
  local t_responses, t_non200, t_hits, t_misses = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t_responses = t_responses + (thread:get("responses") or 0)
    t_non200 = t_non200 + (thread:get("non200") or 0)
    t_hits = t_hits + (thread:get("hits") or 0)
    t_misses = t_misses + (thread:get("misses") or 0)
  end
  local hist = {}
  for i = 1, #latency do
    local value, count = latency(i)
    hist[#hist + 1] = string.format("[%d,%d]", value, count)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"ffi":%s,"duration_us":%d,"requests":%d,"bytes":%d,"responses":%d,"non200":%d,' ..
    '"cache_hits":%d,"cache_misses":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"histogram_us":[%s]}\n',
    tostring(ok_ffi), summary.duration, summary.requests, summary.bytes, t_responses, t_non200,
    t_hits, t_misses, e.connect, e.read, e.write, e.status, e.timeout, table.concat(hist, ",")))
end
