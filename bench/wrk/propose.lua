-- wrk script: POST /api/v1/actions on the auto path, cycling through agent keys (one per line
-- in the file named by WARDEN_KEYS) so each connection acts as a different agent.
local keys = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("WARDEN_KEYS")) do keys[#keys + 1] = line end
end

function request()
  counter = counter + 1
  local key = keys[(counter % #keys) + 1]
  local body = '{"action":"noop ' .. counter .. '","tool":"bench.noop","confidence":0.99,"args":{"i":' .. counter .. '}}'
  return wrk.format("POST", "/api/v1/actions", { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 201 then io.stderr:write("unexpected status " .. status .. "\n") end
end
