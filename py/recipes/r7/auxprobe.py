# usage (repository root): python3 py/recipes/r7/auxprobe.py SHARD CKPT
# per-frame hand, foot and position regression quality (correlation with the truth) of a checkpoint's aux head on Motion Recognition items
import sys, torch, json, numpy as np
sys.path.insert(0,'py')
from kinema_py.checkpoint import load_checkpoint
from kinema_py.data import read_shard
from kinema_py.train import Encoded
torch.set_num_threads(1)
sh=read_shard(sys.argv[1]); ck=sys.argv[2]
m,tok,meta=load_checkpoint(ck); enc=Encoded(sh,tok,m.cfg); m.eval()
names=json.load(open(sys.argv[1]+'/questions.json'))['frame_label_names']
C=m.cfg.aux_classes
idx=[i for i,c in enumerate(enc.categories) if c=='Motion Recognition']
P=[]
with torch.no_grad():
    for j in range(0,len(idx),32):
        s=torch.tensor(idx[j:j+32])
        _,aux=m.forward_with_aux(enc.frames_of(s), enc.q[s], enc.opts[s]); P.append(aux[:,:,C:])
P=torch.cat(P).numpy(); T=enc.frame_labels[torch.tensor(idx)][:,:,1:].numpy()
act=enc.frame_labels[torch.tensor(idx)][:,:,0].numpy()
for n in ['hand_lx','hand_ly','hand_rx','hand_ry','foot_lx','foot_ly','foot_rx','foot_ry','main_x']:
    r=names.index(n)-1; a=P[:,:,r].ravel(); b=T[:,:,r].ravel()
    print("%-8s corr %.3f  truth sd %.3f  rmse %.3f"%(n,np.corrcoef(a,b)[0,1],b.std(),np.sqrt(((a-b)**2).mean())))
