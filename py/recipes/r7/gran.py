# usage (repository root): python3 py/recipes/r7/gran.py SHARD DATA_DIR CKPT...  (DATA_DIR: the kinema synth folder with timeline/)
# Does a model read a directed move only when its two halves fall in different frame groups (k=4)?
import sys, torch, json, collections
sys.path.insert(0,'py')
from kinema_py.checkpoint import load_checkpoint
from kinema_py.data import read_shard
from kinema_py.train import Encoded, evaluate
torch.set_num_threads(1)
shard=sys.argv[1]; data=sys.argv[2]
sh=read_shard(shard); items=json.load(open(shard+'/questions.json'))['items']
tl={}
def timeline(v):
    c=v.replace('.mp4','')
    if c not in tl: tl[c]=json.load(open(f"{data}/timeline/{c}.json"))
    return tl[c]
for ck in sys.argv[3:]:
    m,tok,meta=load_checkpoint(ck); r=evaluate(m, Encoded(sh,tok,m.cfg)); k=m.cfg.k; N=m.cfg.n_frames
    g=collections.defaultdict(list)
    for it,p in zip(items,r['pred']):
        cat=it['category']
        if cat not in ('Motion Recognition','Location-related Motion'): continue
        t=timeline(it['video_id']); T=t['frames']; main=[a for a in t['actors'] if a['role']=='main'][0]
        if cat=='Motion Recognition': span=[a for a in main['actions'] if a['action'].endswith(('_lr','_rl','_cw','_ccw')) and not a['action'].startswith('walk')][0]
        else:
            if 'walk' not in it['question']: continue
            span=[a for a in main['actions'] if a['action'].startswith('walk_')][0]
        L=span['end']-span['start']
        s=lambda f: f*(N-1)/(T-1)
        g1=int(s(span['start']+0.25*L)//k); g2=int(s(span['start']+0.75*L)//k)
        g[(cat[:2], 'halves in different groups' if g1!=g2 else 'halves in one group')].append(p==it['answer'])
    print(ck.split('/')[-1])
    for key in sorted(g): print("   %s %-28s n=%3d acc %.1f"%(key[0],key[1],len(g[key]),100*sum(g[key])/len(g[key])))
