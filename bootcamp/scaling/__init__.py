"""Lesson 07's plumbing: data-parallel training on several devices and several processes.

- :mod:`bootcamp.scaling.devices`: the replicas of a machine (its GPUs, or
  its CPU split into logical devices so that the lesson runs anywhere);
- :mod:`bootcamp.scaling.loop`: the data, the model and the custom training
  loop that lesson 07-2 writes out, for any ``tf.distribute`` strategy, with
  checkpoints at every epoch;
- :mod:`bootcamp.scaling.worker`: one worker process (``python -m
  bootcamp.scaling.worker``), its cluster from ``TF_CONFIG`` or from Slurm;
- :mod:`bootcamp.scaling.launch`: start n workers on 127.0.0.1, optionally
  kill one after an epoch, and collect what they trained.
"""
