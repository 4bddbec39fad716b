create database dagster;
