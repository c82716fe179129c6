/**
 * The Python of an exported JAX script, second half: the single-stage jitted step, the multi-stage schedule loop,
 * collectives and memory read-outs, the timing loop printing one JSON line (see jaxTemplateModel.ts).
 */
export const JAX_TEMPLATE_RUN = String.raw`def collectives(text):
    return {op: len(re.findall(r'\b' + op + r'(?:-start)?\(', text)) for op in COLLECTIVES}


def add_counts(a, b):
    return {k: a.get(k, 0) + b.get(k, 0) for k in COLLECTIVES}


def memory_analysis(compiled):
    m = compiled.memory_analysis()
    keys = ('argument_size_in_bytes', 'output_size_in_bytes', 'alias_size_in_bytes', 'temp_size_in_bytes')
    return {k: int(getattr(m, k)) for k in keys} if m is not None else None


def single_stage_step(stage):
    """The whole step as one jitted program: micro-batches by lax.scan with gradient accumulation, then Adam."""
    def loss_of(params, tokens):
        return stage.forward(params, None, tokens)

    def step(params, opt, tokens, i):
        mbs = tokens.reshape(M, B // M, S)
        if M == 1:
            loss, grads = jax.value_and_grad(loss_of)(params, tokens)
        else:
            def acc(g, tok):
                tok = jax.lax.with_sharding_constraint(tok, stage.tokens_sharding)
                l, gi = jax.value_and_grad(loss_of)(params, tok)
                return jax.tree.map(jnp.add, g, gi), l
            grads, losses = jax.lax.scan(acc, jax.tree.map(jnp.zeros_like, params), mbs)
            loss = losses.mean()
        params, opt = adam(params, opt, grads, i)
        return params, opt, loss

    sh, opt_sh = stage.param_sharding, stage.opt_sharding
    jitted = jax.jit(step, in_shardings=(sh, opt_sh, stage.tokens_sharding, None), out_shardings=(sh, opt_sh, None),
                     donate_argnums=(0, 1))
    tokens = jax.device_put(np.random.randint(0, CFG['vocab'], (B, S), dtype=np.int32), stage.tokens_sharding)
    compiled = jitted.lower(stage.params, stage.opt, tokens, jnp.float32(1)).compile()
    info = {'collectives': collectives(compiled.as_text()), 'memoryAnalysis': [memory_analysis(compiled)]}

    def run(i):
        stage.params, stage.opt, loss = compiled(stage.params, stage.opt, tokens, jnp.float32(i))
        return loss
    return run, info


def multi_stage_step(stages, keep_residuals=True):
    """Per stage: a forward program (the loss or the boundary activations, and with keep_residuals the VJP's
    residuals), a backward program (without keep_residuals it recomputes the stage's forward), a gradient
    accumulation and an update; run one micro-batch at a time in the plan's schedule order (PLAN['order'])."""
    n = len(stages)
    fwd, bwd = [], []
    for st in stages:
        if st.st['pre']:
            f = lambda p, x, tok, st=st: jax.vjp(lambda q: st.forward(q, None, tok), p)
        else:
            f = lambda p, x, tok, st=st: jax.vjp(lambda q, y: st.forward(q, y, tok), p, x)
        if keep_residuals:
            fwd.append(jax.jit(f))
            bwd.append(jax.jit(lambda vjp_fn, g: vjp_fn(g)))
        else:
            fwd.append(jax.jit(lambda p, x, tok, f=f: f(p, x, tok)[0]))
            bwd.append(jax.jit(lambda p, x, tok, g, f=f: f(p, x, tok)[1](g)))
    accumulate = jax.jit(lambda a, g: jax.tree.map(jnp.add, a, g), donate_argnums=(0,))
    updates = [jax.jit(adam, out_shardings=(st.param_sharding, st.opt_sharding), donate_argnums=(0, 1)) for st in stages]
    tied = FAMILY == 'gpt' and n > 1
    rng = np.random.default_rng(0)
    batches = [rng.integers(0, CFG['vocab'], (B // M, S), dtype=np.int32) for _ in range(M)]
    toks = [[jax.device_put(b, st.tokens_sharding) for b in batches] for st in stages]
    if tied:  # the last stage's copy of the tied embedding starts equal to the first stage's
        # a copy: with --fold both stages may sit on one device, where device_put returns the same buffer, which
        # the first stage's update (donating its parameters) would delete under the last stage
        stages[-1].params['outer']['wte'] = jax.device_put(jnp.copy(stages[0].params['outer']['wte']), stages[-1].param_sharding['outer']['wte'])

    def run(i):
        inputs, saved, grads = {}, {}, [None] * n
        loss_sum = 0.0
        for kind, s, mb in PLAN['order']:
            st = stages[s]
            if kind == 'F':
                x = None if st.st['pre'] else inputs[(s, mb)]
                out = fwd[s](st.params, x, toks[s][mb])
                if keep_residuals:
                    out, saved[(s, mb)] = out
                    inputs.pop((s, mb), None)
                if s + 1 < n:
                    inputs[(s + 1, mb)] = jax.device_put(out, stages[s + 1].input_sharding)
                else:
                    loss_sum = loss_sum + out
            else:
                g = jnp.float32(1.0 / M) if s == n - 1 else inputs.pop(('g', s, mb))
                if keep_residuals:
                    res = bwd[s](saved.pop((s, mb)), g)
                else:
                    res = bwd[s](st.params, inputs.pop((s, mb), None), toks[s][mb], g)
                if not st.st['pre']:
                    inputs[('g', s - 1, mb)] = jax.device_put(res[1], stages[s - 1].output_sharding)
                grads[s] = res[0] if grads[s] is None else accumulate(grads[s], res[0])
        if tied:
            g0, g1 = grads[0]['outer']['wte'], grads[-1]['outer']['wte']
            grads[0]['outer']['wte'] = g0 + jax.device_put(g1, stages[0].param_sharding['outer']['wte'])
            grads[-1]['outer']['wte'] = g1 + jax.device_put(g0, stages[-1].param_sharding['outer']['wte'])
        for s, st in enumerate(stages):
            st.params, st.opt = updates[s](st.params, st.opt, grads[s], jnp.float32(i))
        return loss_sum / M

    run(1)  # compiles every program once
    info = {'collectives': {}, 'memoryAnalysis': [],
            'backward': 'VJP residuals kept between programs' if keep_residuals else 'backward recomputes the stage forward'}
    for s, st in enumerate(stages):
        x = None if st.st['pre'] else jax.device_put(jnp.zeros((B // M, S, CFG['hidden']), DT), st.input_sharding)
        programs = [fwd[s].lower(st.params, x, toks[s][0]).compile()]
        out = fwd[s](st.params, x, toks[s][0])
        if keep_residuals:
            out, vjp_fn = out
            programs.append(bwd[s].lower(vjp_fn, jnp.ones_like(out)).compile())
        else:
            programs.append(bwd[s].lower(st.params, x, toks[s][0], jnp.ones_like(out)).compile())
        for compiled in programs:
            info['collectives'] = add_counts(info['collectives'], collectives(compiled.as_text()))
            info['memoryAnalysis'].append(memory_analysis(compiled))
    return run, info


def is_oom(e):
    text = str(e)
    return 'RESOURCE_EXHAUSTED' in text or 'out of memory' in text.lower()


def multi_stage(stages):
    try:
        return multi_stage_step(stages, keep_residuals=True)
    except Exception as e:  # noqa: BLE001 (a JAX that cannot return a VJP from jit: recompute instead)
        if is_oom(e):
            raise
        print('meshplan: VJP residuals across programs failed (%s); the backward recomputes each stage forward'
              % str(e).split('\n')[0][:200], file=sys.stderr)
        return multi_stage_step(stages, keep_residuals=False)


def device_memory(devices):
    stats = [d.memory_stats() or {} for d in devices]
    return {'peakBytesInUse': max((s.get('peak_bytes_in_use', 0) for s in stats), default=0),
            'bytesLimit': min((s.get('bytes_limit', 0) for s in stats), default=0),
            'bytesInUse': max((s.get('bytes_in_use', 0) for s in stats), default=0)}


def kernel_class(name):
    n = name.lower()
    if 'nccl' in n or 'all-reduce' in n or 'all_reduce' in n or 'allreduce' in n:
        return 'nccl'
    if 'gemm' in n or 'cublas' in n or 'cutlass' in n or 'matmul' in n or 'xmma' in n or 'nvjet' in n:
        return 'gemm'
    if 'dynamic_update_slice' in n or 'dynamic-update-slice' in n:
        return 'dus'
    if 'memcpy' in n or 'memset' in n or n.startswith('copy'):
        return 'copy'
    return 'fusion'


def trace_step(run, i, logdir):
    """One more step under jax.profiler: GPU kernel time by class (GEMM, fusion, copy, NCCL) and the top kernels."""
    import glob
    import gzip
    jax.profiler.start_trace(logdir, create_perfetto_trace=True)
    jax.block_until_ready(run(i))
    jax.profiler.stop_trace()
    files = glob.glob(os.path.join(logdir, '**', '*perfetto*.json.gz'), recursive=True)
    if not files:
        return {'error': 'no perfetto trace under %s' % logdir}
    with gzip.open(files[0], 'rt') as f:
        trace = json.load(f)
    events = trace['traceEvents'] if isinstance(trace, dict) else trace
    gpu = {e['pid'] for e in events if e.get('ph') == 'M' and e.get('name') == 'process_name'
           and re.search(r'/device:GPU:\d+', e['args'].get('name', ''))}
    if not gpu:
        return {'error': 'no GPU process in the trace', 'processes': sorted({e['args'].get('name', '') for e in events
                if e.get('ph') == 'M' and e.get('name') == 'process_name'})[:20]}
    by_class, by_name, t0, t1 = {}, {}, float('inf'), 0.0
    for e in events:
        if e.get('ph') != 'X' or e.get('pid') not in gpu:
            continue
        d, name = float(e.get('dur', 0)), e.get('name', '')
        c = kernel_class(name)
        by_class[c] = by_class.get(c, 0.0) + d / 1e3
        key = re.sub(r'[._]\d+$', '', name)[:70]
        ms, cnt = by_name.get(key, (0.0, 0))
        by_name[key] = (ms + d / 1e3, cnt + 1)
        t0, t1 = min(t0, float(e['ts'])), max(t1, float(e['ts']) + d)
    top = sorted(by_name.items(), key=lambda kv: -kv[1][0])[:25]
    return {'spanMs': (t1 - t0) / 1e3 if t1 > t0 else 0, 'byClassMs': by_class,
            'top': [{'name': k, 'ms': v[0], 'count': v[1]} for k, v in top]}


def main(argv):
    opts = {'--steps': 10, '--warmup': 3, '--out': None, '--trace': None}
    back_to_back = False  # --async: timed steps dispatched without waiting (JAX's asynchronous dispatch)
    k = 0
    while k < len(argv):
        if argv[k] == '--fold':
            FOLD['on'] = True
            k += 1
        elif argv[k] == '--async':
            back_to_back = True
            k += 1
        elif argv[k] in opts and k + 1 < len(argv):
            opts[argv[k]] = argv[k + 1] if argv[k] in ('--out', '--trace') else int(argv[k + 1])
            k += 2
        else:
            sys.exit('unknown argument %s (known: --steps N --warmup N --out FILE --fold --async --trace DIR)' % argv[k])
    steps, warmup, out = opts['--steps'], opts['--warmup'], opts['--out']
    used = sorted({d for st in PLAN['stages'] for d in st['devices']})
    devices = jax.devices()
    result = {'plan': PLAN['label'], 'model': CFG['name'], 'globalBatch': B, 'microbatches': M, 'stages': len(PLAN['stages']),
              'remat': [st['remat'] for st in PLAN['stages']], 'precision': PLAN['precision'], 'predicted': PLAN['predicted'],
              'device': devices[0].device_kind, 'jax': jax.__version__,
              'env': {k: v for k, v in os.environ.items() if k.startswith('XLA_PYTHON_CLIENT_')}}
    if len(devices) <= used[-1] and not FOLD['on']:
        result['error'] = 'the plan uses devices %s; this process sees %d' % (used, len(devices))
        print(json.dumps(result))
        return 2
    try:
        t = time.perf_counter()
        stages = [Stage(st) for st in PLAN['stages']]
        run, info = single_stage_step(stages[0]) if len(stages) == 1 else multi_stage(stages)
        result['compileSeconds'] = time.perf_counter() - t
        result.update(info)  # before the steps: an out-of-memory step still reports what XLA planned
        mem_devices = sorted({device_of(d) for d in used}, key=lambda d: d.id)
        result['memoryBeforeSteps'] = device_memory(mem_devices)
        times = []
        for i in range(warmup + steps):
            t = time.perf_counter()
            if i == warmup:
                t_first = t
            loss = run(i + 1)
            if not back_to_back or i < warmup:
                jax.block_until_ready([loss] + [(st.params, st.opt) for st in stages])
                if i >= warmup:
                    times.append(time.perf_counter() - t)
        if back_to_back:  # steps dispatched back to back (as a training loop does): their mean
            jax.block_until_ready([loss] + [(st.params, st.opt) for st in stages])
            result['async'] = True
            times = [(time.perf_counter() - t_first) / steps]
        result.update({'stepSeconds': statistics.median(times), 'stepSecondsMin': min(times), 'loss': float(loss),
                       'oom': False, 'memory': device_memory(mem_devices)})
        if opts['--trace']:
            try:
                result['kernels'] = trace_step(run, warmup + steps + 1, opts['--trace'])
            except Exception as e:  # noqa: BLE001 (the step's figures stand without the trace)
                result['kernels'] = {'error': str(e).split('\n')[0][:300]}
        code = 0
    except Exception as e:  # noqa: BLE001 (an out-of-memory is a result, anything else an error)
        result['oom'] = is_oom(e)
        result['error'] = str(e).split('\n')[0][:500]
        result['memory'] = device_memory(sorted({device_of(d) for d in used}, key=lambda d: d.id))
        code = 3 if result['oom'] else 1
    line = json.dumps(result)
    print(line, flush=True)
    if out:
        with open(out, 'a') as f:
            f.write(line + '\n')
    return code


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
`;
