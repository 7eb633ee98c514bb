-- SPDX-License-Identifier: Apache-2.0
-- SPDX-FileCopyrightText: 2026 KeyMesh contributors
--
-- wrk script for POST /_matrix/client/v3/keys/{query,claim,upload} (driven by run.sh):
--
--   wrk -t T -c C -d 10s -s keys.lua BASE_URL -- WORKLOAD RUN_DIR C T [POOL_DIR]
--
-- WORKLOAD is query, claim or upload; RUN_DIR is what seed.py wrote. wrk gives each thread C/T
-- connections and has no per-connection hook, so each thread takes every T-th token of a list
-- (thread k: entries k, k+T, …) and rotates through its share request by request; each token
-- then carries an equal share of the load, as if every connection had its own user.
--   query:  tokens.txt (first C lines: one worker user per connection), body query.json.
--   claim:  the same tokens; the bodies of claim.jsonl (one per claim target device) rotate
--           independently, so the targets drain evenly.
--   upload: POOL_DIR/tokens.txt (the run's upload devices, at least C) and POOL_DIR/wNNN.jsonl,
--           device NNN's pre-signed bodies; a body always goes out with its own device's token.
--
-- done() prints one JSON line starting with {"workload" (seed.py record picks it up).

local threads = {}
local next_tid = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

local function read_lines(path)
   local f, err = io.open(path, "r")
   if not f then error("keys.lua: cannot open " .. path .. ": " .. tostring(err)) end
   local lines = {}
   for line in f:lines() do
      if line ~= "" then lines[#lines + 1] = line end
   end
   f:close()
   return lines
end

local function headers(token)
   return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

function init(args)
   workload = args[1]
   local run_dir = args[2]
   connections = tonumber(args[3])
   local nthreads = tonumber(args[4])
   local pool_dir = args[5]
   local prefix = string.gsub(wrk.path, "/+$", "")
   path = prefix .. "/_matrix/client/v3/keys/" .. workload

   local all, used
   if workload == "upload" then
      all = read_lines(pool_dir .. "/tokens.txt")
      used = #all
   else
      all = read_lines(run_dir .. "/tokens.txt")
      used = connections
   end
   if #all < connections then
      error(string.format("keys.lua: %d tokens seeded, %d connections asked", #all, connections))
   end
   tokens, devices = {}, {}
   for i = tid, used - 1, nthreads do
      devices[#devices + 1] = i
      tokens[#tokens + 1] = all[i + 1]
   end

   if workload == "upload" then
      pools, positions = {}, {}
      for k, d in ipairs(devices) do
         pools[k] = read_lines(string.format("%s/w%03d.jsonl", pool_dir, d))
         positions[k] = 1
      end
   else
      -- Every (token, body) request pre-formatted: prepared[token index][body index].
      local bodies = read_lines(run_dir .. "/" .. workload .. (workload == "claim" and ".jsonl" or ".json"))
      prepared = {}
      for k, token in ipairs(tokens) do
         prepared[k] = {}
         for j, body in ipairs(bodies) do
            prepared[k][j] = wrk.format("POST", path, headers(token), body)
         end
      end
      body_count = #bodies
   end
   body_cursor = 0
   cursor = 0
   wraps = 0
end

function request()
   cursor = cursor % #tokens + 1
   if workload ~= "upload" then
      body_cursor = body_cursor % body_count + 1
      return prepared[cursor][body_cursor]
   end
   local pool, position = pools[cursor], positions[cursor]
   if position > #pool then
      -- Out of fresh bodies: cycle again. The server sees keys it already has, a no-op upload.
      position = 1
      wraps = wraps + 1
   end
   positions[cursor] = position + 1
   return wrk.format("POST", path, headers(tokens[cursor]), pool[position])
end

-- No response() callback on purpose: with one, wrk hands every response body to Lua, and on a
-- machine where wrk shares the cores with the server that costs the server a third of its
-- throughput on /keys/query (6 KB answers). Non-2xx answers are counted by wrk itself
-- (summary.errors.status); rerun one request with curl to see an error body.

local function quote(s)
   s = string.gsub(s, '[%c"\\]', function(c)
      if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
      return string.format("\\u%04x", string.byte(c))
   end)
   return '"' .. s .. '"'
end

function done(summary, latency, requests)
   local wraps_total = 0
   local name, conns = threads[1]:get("workload"), threads[1]:get("connections")
   for _, thread in ipairs(threads) do
      wraps_total = wraps_total + thread:get("wraps")
   end
   local non2xx_total = summary.errors.status
   local seconds = summary.duration / 1e6
   local e = summary.errors
   local ms = function(us) return us / 1000 end
   io.write(string.format(
      '{"workload":%s,"connections":%d,"threads":%d,"duration_s":%.3f,"requests":%d,' ..
      '"requests_per_sec":%.1f,"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"mean":%.3f,' ..
      '"max":%.3f},"non2xx":%d,"statuses":{},"socket_errors":{"connect":%d,"read":%d,' ..
      '"write":%d,"timeout":%d},"pool_wraps":%d,"first_error_body":%s}\n',
      quote(name), conns, #threads, seconds, summary.requests, summary.requests / seconds,
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
      ms(latency.mean), ms(latency.max), non2xx_total,
      e.connect, e.read, e.write, e.timeout, wraps_total,
      "null"))
end
