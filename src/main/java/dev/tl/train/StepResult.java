package dev.tl.train;

/** What one optimizer step on a mini-batch reports: its mean loss, and how many of its examples it got right. */
record StepResult(double loss, int correct) {
}
