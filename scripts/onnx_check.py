#!/usr/bin/python3
"""Checks a file written by `tl export --format onnx` with ONNX's own reference checker, independently of the
runtime the tests use: the full check with strict shape and type inference, which must find the declared output
shape. Prints the inputs, output, operations and tl's metadata; exits non-zero on an invalid model.

Needs: apt-get install -y python3-onnx (ONNX 1.12 checks operator sets up to 17). Debian packages no ONNX runtime,
so running the model from Python needs `pip install onnxruntime` (see docs/DEPLOYING.md).
Usage: scripts/onnx_check.py model.onnx [more.onnx ...]
"""
import json
import sys

import onnx


def dims(value):
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    output = inferred.graph.output[0]
    if dims(output) != dims(model.graph.output[0]):
        raise ValueError(f"output {output.name}: inferred {dims(output)}, declared {dims(model.graph.output[0])}")
    print(f"{path}: valid (IR {model.ir_version}, opset {model.opset_import[0].version}, {len(model.graph.node)} nodes)")
    for value in model.graph.input:
        print(f"  input  {value.name} {dims(value)}")
    print(f"  output {output.name} {dims(output)}")
    print(f"  operations: {', '.join(sorted({node.op_type for node in model.graph.node}))}")
    for entry in model.metadata_props:
        print(f"  {entry.key}: {json.loads(entry.value) if entry.value[:1] in '[{' else entry.value}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for file in sys.argv[1:]:
        check(file)
