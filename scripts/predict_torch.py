"""The PyTorch side of scripts/predict_vs_torch.sh: one image through torchvision's MobileNetV2, as a PyTorch user
predicts from a fresh process: import torch and torchvision, build the model, load its weights from a file, decode,
resize and normalise the image, run it, print the top classes.

  python3 predict_torch.py --save WEIGHTS        writes random weights once (no download here), as a model file would be
  python3 predict_torch.py WEIGHTS IMAGE         predicts IMAGE
"""
import argparse

import torch
import torchvision
from torchvision.io import ImageReadMode, read_image
from torchvision.transforms import functional

parser = argparse.ArgumentParser()
parser.add_argument("weights")
parser.add_argument("image", nargs="?")
parser.add_argument("--save", action="store_true")
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

torch.set_num_threads(args.threads)
model = torchvision.models.mobilenet_v2()
if args.save:
    torch.save(model.state_dict(), args.weights)
else:
    model.load_state_dict(torch.load(args.weights))
    model.eval()
    image = read_image(args.image, ImageReadMode.RGB)
    x = functional.resize(image, [224, 224]).float() / 255
    x = functional.normalize(x, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    with torch.no_grad():
        probabilities = torch.softmax(model(x[None]), dim=1)[0]
    top = torch.topk(probabilities, 3)
    print(args.image, " ".join(f"{int(c)} {float(p):.4f}" for p, c in zip(top.values, top.indices)))
