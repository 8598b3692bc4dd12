# usage (repository root): python3 py/recipes/r7/bd.py SHARD CKPT...  per-template accuracy of MR, LM and MO (first / second)
import sys, torch, json, collections
sys.path.insert(0,'py')
from kinema_py.checkpoint import load_checkpoint
from kinema_py.data import read_shard
from kinema_py.train import Encoded, evaluate
torch.set_num_threads(1)
sh=read_shard(sys.argv[1]); items=json.load(open(sys.argv[1]+'/questions.json'))['items']
for ck in sys.argv[2:]:
    m,tok,meta=load_checkpoint(ck); enc=Encoded(sh,tok,m.cfg); r=evaluate(m, enc)
    # map enc order to items: assume same order
    g=collections.defaultdict(list)
    for it,p in zip(items, r['pred']):
        c=it['category']
        if c in ('Motion Recognition','Location-related Motion','Motion-related Objects'):
            key=c[:6]+':'+' / '.join(sorted(it['options']))[:60] if c!='Motion-related Objects' else c[:6]+':'+it['question'].split(' lift ')[1]
            g[key].append(p==it['answer'])
    print(ck.split('/')[-1], "%.1f"%(100*r['acc']))
    for k in sorted(g): print("  %-70s n=%3d %.1f"%(k,len(g[k]),100*sum(g[k])/len(g[k])))
