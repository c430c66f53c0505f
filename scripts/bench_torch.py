"""The PyTorch side of scripts/bench.sh: the same measurements as tl, written as a PyTorch user would.

  step   synthetic batches: inference and fine-tune training steps (BatchNorm frozen), median images/s, and the
         process's peak resident memory
  embed  decode JPEGs, preprocess, pooled features (torchvision ImageFolder + DataLoader), images/s
  train  plain two-phase transfer learning: frozen base + head for E1 epochs, then all layers for E2 epochs

Prints one JSON object. Uses Debian's python3-torch/python3-torchvision; threads as given (default 2).
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torchvision
from torchvision import transforms

NAMES = {"mobilenetv2": "mobilenet_v2", "densenet121": "densenet121", "densenet201": "densenet201",
         "efficientnetb0": "efficientnet_b0", "resnet50": "resnet50", "vgg16": "vgg16",
         "mobilenet_0.25": None, "convnext_tiny": "convnext_tiny", "mobilenetv3small": "mobilenet_v3_small",
         "efficientnetv2b0": None}
# Keras' preprocessing per backbone, as tl applies it
TORCH_MODE = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
TF_MODE = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])


def mobilenet_v1(alpha):
    """Keras' MobileNet v1 (torchvision has none): a 3x3 convolution, then 13 depthwise-separable blocks, each
    convolution followed by BatchNorm and ReLU6."""
    def conv(cin, cout, kernel, stride, groups=1):
        return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout),
                nn.ReLU6(inplace=True)]
    channels = int(32 * alpha)
    layers = conv(3, channels, 3, 2)
    for width, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 \
            + [(1024, 2), (1024, 1)]:
        out = int(width * alpha)
        layers += conv(channels, channels, 3, stride, groups=channels) + conv(channels, out, 1, 1)
        channels = out
    return nn.Sequential(*layers), channels


def efficientnet_v2_b0():
    """Keras' EfficientNetV2-B0 (torchvision builds S, M, L only) from torchvision's fused and MBConv blocks."""
    from torchvision.models.efficientnet import EfficientNet, FusedMBConvConfig, MBConvConfig
    stages = [FusedMBConvConfig(1, 3, 1, 32, 16, 1), FusedMBConvConfig(4, 3, 2, 16, 32, 2),
              FusedMBConvConfig(4, 3, 2, 32, 48, 2), MBConvConfig(4, 3, 2, 48, 96, 3),
              MBConvConfig(6, 3, 1, 96, 112, 5), MBConvConfig(6, 3, 2, 112, 192, 8)]
    return EfficientNet(stages, dropout=0.2, last_channel=1280)


def backbone(name):
    if name.startswith("mobilenet_"):
        return mobilenet_v1(float(name.split("_")[1]))
    model = efficientnet_v2_b0() if name == "efficientnetv2b0" else getattr(torchvision.models, NAMES[name])()
    features = model.features if hasattr(model, "features") else nn.Sequential(*list(model.children())[:-2])
    channels = {"mobilenetv2": 1280, "densenet121": 1024, "densenet201": 1920, "efficientnetb0": 1280,
                "resnet50": 2048, "vgg16": 512, "convnext_tiny": 768, "mobilenetv3small": 576,
                "efficientnetv2b0": 1280}[name]
    post = nn.ReLU() if name.startswith("densenet") else nn.Identity()  # torchvision applies it in forward()
    return nn.Sequential(features, post), channels


class Classifier(nn.Module):
    """Base, global average pooling, dropout, linear: tl's head."""

    def __init__(self, name, classes=2):
        super().__init__()
        self.base, channels = backbone(name)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(channels, classes))

    def features(self, x):
        return self.base(x).mean((2, 3))

    def forward(self, x):
        return self.head(self.features(x))


def freeze_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


def median_rate(batch, warmup, timed, step):
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(timed):
        start = time.perf_counter()
        step()
        rates.append(batch / (time.perf_counter() - start))
    return statistics.median(rates)


def step(args):
    model = Classifier(args.model)
    x = torch.rand(args.batch, 3, args.size, args.size) * 2 - 1
    y = torch.arange(args.batch) % 2
    result = {}
    if args.phase != "training":
        model.eval()
        with torch.no_grad():
            result["inference_images_per_second"] = median_rate(args.batch, args.warmup, args.batches,
                                                                lambda: model(x))
    if args.phase != "inference":
        result["training_images_per_second"] = training_rate(args, model, x, y)
    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def training_rate(args, model, x, y):
    model.train()
    freeze_batchnorm(model)
    optimizer = torch.optim.Adam(model.parameters(), 1e-4)
    loss = nn.CrossEntropyLoss()

    def train_step():
        optimizer.zero_grad()
        loss(model(x), y).backward()
        optimizer.step()
    return median_rate(args.batch, args.warmup, args.batches, train_step)


def loader(root, size, batch, mode, shuffle=False):
    normalize = TORCH_MODE if mode == "torch" else TF_MODE
    dataset = torchvision.datasets.ImageFolder(root, transforms.Compose([
        transforms.Resize((size, size)), transforms.ToTensor(), normalize]))
    return torch.utils.data.DataLoader(dataset, batch_size=batch, shuffle=shuffle, num_workers=args.workers)


def preprocessing(name):
    return "tf" if name.startswith("mobilenet") else "torch"


def embed(args):
    model = Classifier(args.model).eval()
    data = loader(args.data, args.size, args.batch, preprocessing(args.model))
    start = time.perf_counter()
    count = 0
    with torch.no_grad():
        for x, _ in data:
            model.features(x)
            count += x.shape[0]
    seconds = time.perf_counter() - start
    return {"images": count, "seconds": seconds, "images_per_second": count / seconds}


def evaluate(model, data):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in data:
            correct += (model(x).argmax(1) == y).sum().item()
            total += y.shape[0]
    return correct / total


def train(args):
    start = time.perf_counter()
    torch.manual_seed(42)
    model = Classifier(args.model)
    mode = preprocessing(args.model)
    train_data = loader(args.train, args.size, args.batch, mode, shuffle=True)
    val_data = loader(args.val, args.size, args.batch, mode)
    loss = nn.CrossEntropyLoss()
    for p in model.base.parameters():
        p.requires_grad = False
    optimizer = torch.optim.Adam(model.head.parameters(), 1e-3)
    for _ in range(args.frozen_epochs):
        model.train()
        model.base.eval()
        for x, y in train_data:
            optimizer.zero_grad()
            loss(model(x), y).backward()
            optimizer.step()
        accuracy = evaluate(model, val_data)
    for p in model.base.parameters():
        p.requires_grad = True
    optimizer = torch.optim.Adam(model.parameters(), 1e-4)
    for _ in range(args.finetune_epochs):
        model.train()
        freeze_batchnorm(model)
        for x, y in train_data:
            optimizer.zero_grad()
            loss(model(x), y).backward()
            optimizer.step()
        accuracy = evaluate(model, val_data)
    return {"seconds": time.perf_counter() - start, "val_accuracy": accuracy}


parser = argparse.ArgumentParser()
parser.add_argument("what", choices=["step", "embed", "train"])
parser.add_argument("--model", required=True, choices=sorted(NAMES))
parser.add_argument("--size", type=int, default=224)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
parser.add_argument("--warmup", type=int, default=3)
parser.add_argument("--batches", type=int, default=7)
parser.add_argument("--phase", choices=["inference", "training", "both"], default="both")
parser.add_argument("--data")
parser.add_argument("--train")
parser.add_argument("--val")
parser.add_argument("--frozen-epochs", type=int, default=10)
parser.add_argument("--finetune-epochs", type=int, default=2)
args = parser.parse_args()
torch.set_num_threads(args.threads)
print(json.dumps({"step": step, "embed": embed, "train": train}[args.what](args)))
