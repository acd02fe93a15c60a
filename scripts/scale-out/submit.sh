mkdir -p logs   # Slurm writes the tasks' --output here and does not create it
jobid=$(sbatch --parsable shards.sbatch)
sbatch --dependency=afterok:${jobid} merge.sbatch
