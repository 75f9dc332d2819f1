-- Drives `schemactl lsp` through Neovim's own LSP client (nvim --headless, Neovim 0.7+):
-- opens order.avsc of the workspace SC_WS, asks for a hover, a go-to-definition across files
-- and a completion, then edits the buffer as an author would (a new field without a default,
-- the quick fix applied, a syntax error) and records the diagnostics Neovim received after
-- each step. Everything observed is written as JSON to SC_OUT; tests/lsp_neovim.rs asserts it.

local ws, bin, out_path = os.getenv('SC_WS'), os.getenv('SC_BIN'), os.getenv('SC_OUT')
local out = { steps = {} }

local function note(k, v) out[k] = v end

local function finish()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qall!')
end

-- The 0-based line and column of the first `needle` in the buffer.
local function find(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then return i - 1, col - 1 end
  end
  error('not in the buffer: ' .. needle)
end

local function diagnostics(buf)
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(seen, { code = d.code, message = d.message, line = d.lnum, col = d.col })
  end
  return seen
end

local function has_code(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then return d end
  end
  return nil
end

local function request(buf, method, params)
  local res = vim.lsp.buf_request_sync(buf, method, params, 20000)
  for _, r in pairs(res or {}) do
    if r.error then error(method .. ': ' .. vim.inspect(r.error)) end
    return r.result
  end
  return nil
end

local function at(buf, line, col)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = col } }
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. ws .. '/schemas/order.avsc')
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = 'schemactl',
    cmd = { bin, 'lsp' },
    cmd_cwd = ws,
    root_dir = ws,
    flags = { debounce_text_changes = 50 },
  })
  assert(id, 'the client did not start')
  vim.lsp.buf_attach_client(buf, id)
  assert(vim.wait(20000, function()
    local c = vim.lsp.get_client_by_id(id)
    return c ~= nil and c.initialized
  end, 50), 'the server did not initialize')

  -- Hover on a field of OrderCreated.
  local l, c = find(buf, '"order_number"')
  local hover = request(buf, 'textDocument/hover', at(buf, l, c + 3))
  note('hover', hover and hover.contents.value or vim.NIL)

  -- Go to definition: the envelope's type, defined in envelope.avsc.
  l, c = find(buf, 'sc.events.common.Envelope')
  local def = request(buf, 'textDocument/definition', at(buf, l, c + 5))
  note('definition', def or vim.NIL)

  -- Every place the envelope type is used, across the schema files.
  local refs = request(buf, 'textDocument/references',
    vim.tbl_extend('force', at(buf, l, c + 5), { context = { includeDeclaration = true } }))
  note('references', refs or vim.NIL)
  table.insert(out.steps, { step = 'opened', diagnostics = diagnostics(buf) })

  -- An author adds a required field to order.created: the gate (BACKWARD against the
  -- registered version) refuses it; the quick fix makes it optional.
  l = find(buf, '"name": "order_number"')
  vim.api.nvim_buf_set_lines(buf, l, l, false,
    { '          {"name": "coupon_code", "type": "string", "doc": "Coupon the customer applied."},' })
  local found = vim.wait(20000, function() return has_code(buf, 'READER_FIELD_MISSING_DEFAULT_VALUE') ~= nil end, 50)
  table.insert(out.steps, { step = 'required field added', arrived = found, diagnostics = diagnostics(buf) })

  local d = has_code(buf, 'READER_FIELD_MISSING_DEFAULT_VALUE')
  if d then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
      context = { diagnostics = { {
        range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
        message = d.message, code = d.code, severity = d.severity, source = d.source,
      } } },
    }
    local actions = request(buf, 'textDocument/codeAction', params) or {}
    note('code_actions', vim.tbl_map(function(a) return a.title end, actions))
    if actions[1] then
      vim.lsp.util.apply_workspace_edit(actions[1].edit, 'utf-16')
      -- Cleared once the edit's last change is judged: no gate, policy or schema error left.
      local cleared = vim.wait(20000, function()
        return not (has_code(buf, 'READER_FIELD_MISSING_DEFAULT_VALUE') or has_code(buf, 'FIELD_ADDED_WITHOUT_DEFAULT')
          or has_code(buf, 'SCHEMA'))
      end, 50)
      l = find(buf, '"coupon_code"')
      table.insert(out.steps, { step = 'quick fix applied', cleared = cleared,
        line = vim.api.nvim_buf_get_lines(buf, l, l + 1, false)[1], diagnostics = diagnostics(buf) })
    end
  end

  -- Completion of a type name where a type is written.
  l, c = find(buf, '"type": "sc.events.common.Envelope"')
  local completion = request(buf, 'textDocument/completion', at(buf, l, c + #'"type": "sc.events.c'))
  local labels = {}
  for _, item in ipairs((completion and (completion.items or completion)) or {}) do
    table.insert(labels, item.label)
  end
  note('completion', labels)

  -- A syntax error: the file no longer parses.
  l = find(buf, '"name": "customer_id"')
  vim.api.nvim_buf_set_lines(buf, l, l + 1, false, { '          {"name": "customer_id", "type": ' })
  found = vim.wait(20000, function() return has_code(buf, 'PARSE') ~= nil end, 50)
  table.insert(out.steps, { step = 'syntax broken', arrived = found, diagnostics = diagnostics(buf) })

  -- schemactl.toml is judged too: a new, unsaved one with a wrong value.
  vim.cmd('edit ' .. ws .. '/schemactl.toml')
  local toml = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(toml, 0, -1, false, { 'schemas = 42' })
  vim.lsp.buf_attach_client(toml, id)
  found = vim.wait(20000, function() return has_code(toml, 'CONFIG') ~= nil end, 50)
  table.insert(out.steps, { step = 'config broken', arrived = found, diagnostics = diagnostics(toml) })
end)

note('ok', ok)
if not ok then note('error', tostring(err)) end
finish()
