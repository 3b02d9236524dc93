"""The code generator: botocore's License Manager model -> typed models, operation table, Api and errors.

Run `python -m codegen` to regenerate, `python -m codegen --check` to fail on drift. Not shipped in the wheel.
"""
