"""Independent NumPy (float64) implementation of docs/model-spec.md §4 working on the
exported tfjs weights ([k, cin, cout] convs, [in, out] linears) in [B, T, C] layout, the
way the TypeScript side sees them. Used to check the PyTorch model and the exporter."""
import math

import numpy as np



def _read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()

def silu(x):
    return x / (1 + np.exp(-x))


def conv(w, b, x, stride=1):
    """x [B, T, Cin], w [k, Cin, Cout] -> [B, To, Cout], zero padding (k-1)/2."""
    k = w.shape[0]
    pad = (k - 1) // 2
    xp = np.pad(x, ((0, 0), (pad, pad), (0, 0)))
    to = (x.shape[1] + 2 * pad - k) // stride + 1
    out = np.zeros((x.shape[0], to, w.shape[2]))
    for j in range(k):
        out += xp[:, j:j + stride * (to - 1) + 1:stride, :] @ w[j]
    return out + b


def gn(W, name, x, groups):
    b, t, c = x.shape
    g = x.reshape(b, t, groups, c // groups)
    m = g.mean(axis=(1, 3), keepdims=True)
    v = g.var(axis=(1, 3), keepdims=True)
    y = ((g - m) / np.sqrt(v + 1e-5)).reshape(b, t, c)
    return y * W[name + '.weight'] + W[name + '.bias']


def lin(W, name, x):
    return x @ W[name + '.weight'] + W[name + '.bias']


def res(W, n, x, ga, groups):
    h = conv(W[n + '.conv1.weight'], W[n + '.conv1.bias'], silu(gn(W, n + '.norm1', x, groups)))
    sb = lin(W, n + '.film', ga)
    c = h.shape[2]
    s, bb = sb[:, None, :c], sb[:, None, c:]
    h = gn(W, n + '.norm2', h, groups) * (1 + s) + bb
    h = conv(W[n + '.conv2.weight'], W[n + '.conv2.bias'], silu(h))
    skip = conv(W[n + '.skip.weight'], W[n + '.skip.bias'], x) if n + '.skip.weight' in W else x
    return h + skip


def attn(W, x, groups, heads):
    b, t, c = x.shape
    d = c // heads
    qkv = conv(W['attn.qkv.weight'], W['attn.qkv.bias'], gn(W, 'attn.norm', x, groups))
    q, k, v = qkv[:, :, :c], qkv[:, :, c:2 * c], qkv[:, :, 2 * c:]
    out = np.zeros_like(x)
    for h in range(heads):
        sl = slice(h * d, (h + 1) * d)
        s = q[:, :, sl] @ k[:, :, sl].transpose(0, 2, 1) / math.sqrt(d)  # [B, Tq, Tk]
        s = np.exp(s - s.max(axis=2, keepdims=True))
        s /= s.sum(axis=2, keepdims=True)
        out[:, :, sl] = s @ v[:, :, sl]
    return x + conv(W['attn.proj.weight'], W['attn.proj.bias'], out)


def forward(W, arch, x_bct, t, cond):
    """x_bct [B, nMels, T] (PyTorch layout in, PyTorch layout out)."""
    G, H = arch['groups'], arch['heads']
    x = np.asarray(x_bct, np.float64).transpose(0, 2, 1)
    i = np.arange(64)
    f = np.exp(-math.log(10000.0) * i / 64)
    a = 1000.0 * np.asarray(t, np.float64)[:, None] * f[None, :]
    temb = np.concatenate([np.cos(a), np.sin(a)], axis=1)
    g = lin(W, 'emb_out', silu(lin(W, 'time_in', temb) + lin(W, 'cond_in', np.asarray(cond, np.float64))))
    ga = silu(g)
    up = lambda name, h: conv(W[name + '.conv.weight'], W[name + '.conv.bias'], np.repeat(h, 2, axis=1))
    h = conv(W['conv_in.weight'], W['conv_in.bias'], x)
    s0 = res(W, 'down0', h, ga, G)
    h = conv(W['ds0.weight'], W['ds0.bias'], s0, stride=2)
    s1 = res(W, 'down1', h, ga, G)
    h = conv(W['ds1.weight'], W['ds1.bias'], s1, stride=2)
    s2 = res(W, 'down2', h, ga, G)
    h = res(W, 'mid1', s2, ga, G)
    h = attn(W, h, G, H)
    h = res(W, 'mid2', h, ga, G)
    h = res(W, 'up2', np.concatenate([h, s2], axis=2), ga, G)
    h = up('us1', h)
    h = res(W, 'up1', np.concatenate([h, s1], axis=2), ga, G)
    h = up('us0', h)
    h = res(W, 'up0', np.concatenate([h, s0], axis=2), ga, G)
    v = conv(W['conv_out.weight'], W['conv_out.bias'], silu(gn(W, 'norm_out', h, G)))
    return v.transpose(0, 2, 1)


def load_tfjs_weights(model_dir):
    """Raw tfjs-layout arrays by name, decoded from model.json + shards (float64)."""
    import json
    import os
    with open(os.path.join(model_dir, 'model.json')) as f:
        man = json.load(f)
    W = {}
    for grp in man['weightsManifest']:
        blob = b''.join(_read_bytes(os.path.join(model_dir, p)) for p in grp['paths'])
        off = 0
        for w in grp['weights']:
            n = int(np.prod(w['shape']))
            if (w.get('quantization') or {}).get('dtype') == 'float16':
                a = np.frombuffer(blob, '<f2', n, off)
                off += 2 * n
            else:
                a = np.frombuffer(blob, '<f4', n, off)
                off += 4 * n
            W[w['name']] = a.astype(np.float64).reshape(w['shape'])
    return W
