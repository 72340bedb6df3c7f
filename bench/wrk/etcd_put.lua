-- etcd v3 puts through its JSON gateway (POST /v3/kv/put): every request writes a new key holding a component's
-- registration, the equivalent of a Tekton registration. Keys and values are base64, as the gateway wants.
dofile("bench/wrk/report.lua")
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    for j = 3, 0, -1 do
      local k = math.floor(n / 64 ^ j) % 64
      out[#out + 1] = alphabet:sub(k + 1, k + 1)
    end
  end
  local pad = (3 - #data % 3) % 3
  return table.concat(out):sub(1, #out - pad) .. string.rep("=", pad)
end
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
local value = base64('{"component_id":"bench","component_name":"Bench","component_type":"service","version":"1.0.0"}')
local counter = 0
function request()
  counter = counter + 1
  local key = base64(string.format("/tekton/components/bench-%d-%d", thread_id or 0, counter))
  return wrk.format("POST", "/v3/kv/put", { ["Content-Type"] = "application/json" },
    string.format('{"key":"%s","value":"%s"}', key, value))
end
