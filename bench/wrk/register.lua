-- Tekton registrations: every request registers a new component (POST /api/tekton/components), each depending on
-- the component the same thread registered before it, so the registry grows edges as well as rows.
dofile("bench/wrk/report.lua")
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
-- Ids carry the run's start time: the measured run follows a warm-up run of the same script, and must register new
-- components, not register the warm-up's again (that is an upsert with a new instance, a different operation).
local run = os.time()
local counter = 0
function request()
  counter = counter + 1
  local id = string.format("bench-%d-%d-%d", run, thread_id or 0, counter)
  local dependencies = ""
  if counter > 1 then dependencies = string.format(',"dependencies":["bench-%d-%d-%d"]', run, thread_id or 0, counter - 1) end
  local body = string.format('{"component_id":"%s","component_name":"Bench","component_type":"service","version":"1.0.0"%s}', id, dependencies)
  return wrk.format("POST", "/api/tekton/components", { ["Content-Type"] = "application/json" }, body)
end
