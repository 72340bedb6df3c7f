-- POST /api/tekton/route with three task shapes in turn (the in-process route benchmark's three queries).
dofile("bench/wrk/report.lua")
local bodies = {
  '{"task_type":"code_generation","complexity":"high","context_length":16000,"requirements":{"capabilities":["reasoning"],"min_tier":2}}',
  '{"task_type":"text_generation","complexity":"medium","context_length":4000}',
  '{"task_type":"summarization","complexity":"low","context_length":100000,"fallback":false}',
}
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("POST", "/api/tekton/route", { ["Content-Type"] = "application/json" }, bodies[counter % #bodies + 1])
end
