"""The demo: a synthetic bank and the daily pipeline over it."""

from kequn.demo.pipeline import DemoSettings, StepResult, run_demo

__all__ = ["DemoSettings", "StepResult", "run_demo"]
